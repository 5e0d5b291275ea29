#!/usr/bin/env bash
# Benchmarks of `cargo xtask check` recorded in BENCHMARKS.md, side by side with
# rustlings (the pinned version below), alternated round by round in one run so
# that a machine shared with other builds slows both sides alike.
#
#   scripts/bench-check.sh [RUNS]        (default 5 rounds, medians reported)
#
# Ours is measured where a student works: the folder `cargo xtask release`
# writes (public tests only, its own xtask and target dir), with the reference
# solutions copied over its exercises, so every test really runs (a skeleton
# fails fast and would flatter the numbers). Each round, in this order:
#   a. ours: `cargo xtask check 01` in the release after a one-line edit of a
#      student file; rustlings: `rustlings run threads3` after the same kind of
#      edit;
#   a'. ours, in this checkout (an instructor's, hidden tests included):
#      `cargo xtask check 01 --source` on the same solutions after the same edit;
#   b. ours: all six topics in the release, warm, nothing edited (an unchanged
#      topic whose tests all passed is not run again: its last result stands);
#      rustlings: `rustlings check-all`, warm;
#   b'. ours: all six topics in the release, warm, with `--fresh` (every test
#      runs again).
# One discarded warm-up round of each comes first. Then, unless BENCH_FRESH=0:
#   c. fresh copy of the release to first verdict (its own target dir, cold
#      build, crates already in the local cargo registry), FRESH_RUNS times
#      (default 1), with the time of the first output line and of the end of
#      xtask's own build. With BENCH_EMPTY_REGISTRY=1 each fresh copy also
#      gets an empty cargo home of its own, so that every crate is downloaded
#      from crates.io during the run, as on a student's new machine.
#
# Rustlings runs against its own published solutions (in its crate's source,
# which `cargo install` leaves in the cargo registry), copied over its
# exercises, so that its tests run too (threads3 sleeps 5 x 250 ms); all but the
# last one, as_ref_mut, which stays pending (see setup_rustlings).
#
# Rustlings is installed when missing with `cargo install` into
# target/bench/rustlings, and its exercises are set up in
# target/bench/rustlings-exercises (both kept between runs). BENCH_RUSTLINGS=0
# measures only our rows. Never run this as a test: it measures, it judges nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

RUSTLINGS_VERSION=6.5.0
bench_dir=$root/target/bench
rustlings=$bench_dir/rustlings/bin/rustlings
rustlings_ws=$bench_dir/rustlings-exercises

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
now() { date +%s.%N; }
# Runs "$@" with every output discarded and prints the seconds it took. A failing
# command is timed all the same (a check that finds a failing test exits non-zero).
timed() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null 2>&1 </dev/null || true
  t1=$(now)
  awk "BEGIN{printf \"%.2f\", $t1-$t0}"
}
ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }

# --- rustlings, pinned, in folders of its own under target/ -------------------
setup_rustlings() {
  if [ ! -x "$rustlings" ]; then
    echo "installing rustlings $RUSTLINGS_VERSION into $bench_dir/rustlings ..."
    cargo install rustlings --version "$RUSTLINGS_VERSION" --locked --root "$bench_dir/rustlings"
  fi
  local installed
  installed=$("$rustlings" --version | awk '{print $2}')
  if [ "$installed" != "$RUSTLINGS_VERSION" ]; then
    echo "target/bench/rustlings holds rustlings $installed, not $RUSTLINGS_VERSION: remove it and run again" >&2
    exit 1
  fi
  if [ ! -d "$rustlings_ws/rustlings" ]; then
    # `rustlings init` adds its folder to the enclosing Cargo workspace: give it
    # one of its own here, or it would edit this project's Cargo.toml.
    mkdir -p "$rustlings_ws"
    printf '[workspace]\nresolver = "2"\nmembers = []\n' >"$rustlings_ws/Cargo.toml"
    # It asks for confirmation (ENTER) before creating the folder.
    (cd "$rustlings_ws" && printf '\n\n' | "$rustlings" init >/dev/null)
    local solutions
    solutions=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/rustlings-"$RUSTLINGS_VERSION"/solutions 2>/dev/null | head -n 1)
    if [ -z "$solutions" ]; then
      echo "rustlings $RUSTLINGS_VERSION's source (its solutions) is not in the cargo registry: remove target/bench/rustlings and run again" >&2
      rm -rf "$rustlings_ws"
      exit 1
    fi
    cp -r "$solutions"/. "$rustlings_ws/rustlings/exercises/"
    # The last exercise stays unsolved: once every exercise is done, `rustlings
    # run` re-checks them all before its final message, which a student sees
    # once, not after every edit.
    cp "$solutions/../exercises/23_conversions/as_ref_mut.rs" "$rustlings_ws/rustlings/exercises/23_conversions/"
  fi
}
rustlings_run() { (cd "$rustlings_ws/rustlings" && "$rustlings" "$@"); }

compare=${BENCH_RUSTLINGS:-1}
if [ "$compare" = 1 ]; then
  setup_rustlings
fi

# --- ours: the student release, with the reference solutions ----------------
cargo build -q -p xtask
release="$work/release"
cargo xtask release --out "$release" >/dev/null
student="$work/student"
cp -r "$release" "$student"
src="$work/source"
for dir in solutions/*/; do
  topic=$(basename "$dir")
  cp -r "$dir"/. "$student/exercises/$topic/"
  mkdir -p "$src/exercises/$topic"
  cp -r "$dir"/. "$src/exercises/$topic/"
done
in_student() { (cd "$student" && cargo xtask "$@"); }
ours_one() { in_student check 01; }
ours_one_instructor() { cargo xtask check 01 --source "$src"; }
ours_all() { in_student check; }
ours_all_fresh() { in_student check --fresh; }
ours_edited="$student/exercises/01_thread_basics/src/spawn.rs"
instructor_edited="$src/exercises/01_thread_basics/src/spawn.rs"
theirs_edited="$rustlings_ws/rustlings/exercises/20_threads/threads3.rs"

# Warm-up, discarded: every sandbox and every rustlings exercise built once.
# The release must give the reference solutions full marks, or the timings
# below would measure a broken check.
if ! ours_all >"$work/warm-up.log" 2>&1; then
  cat "$work/warm-up.log" >&2
  echo "the release's check of the reference solutions failed (above)" >&2
  exit 1
fi
timed ours_one_instructor >/dev/null
if [ "$compare" = 1 ]; then
  timed rustlings_run check-all >/dev/null
fi

one=() one_instructor=() all=() all_fresh=() r_one=() r_all=()
for i in $(seq "$runs"); do
  echo "// edit $i" >>"$ours_edited"
  one+=("$(timed ours_one)")
  echo "// edit $i" >>"$instructor_edited"
  one_instructor+=("$(timed ours_one_instructor)")
  if [ "$compare" = 1 ]; then
    echo "// edit $i" >>"$theirs_edited"
    r_one+=("$(timed rustlings_run run threads3)")
  fi
  all+=("$(timed ours_all)")
  if [ "$compare" = 1 ]; then
    r_all+=("$(timed rustlings_run check-all)")
  fi
  all_fresh+=("$(timed ours_all_fresh)")
  echo "round $i/$runs: ours ${one[-1]} s (instructor ${one_instructor[-1]} s), ${all[-1]} s, --fresh ${all_fresh[-1]} s${r_one:+; rustlings ${r_one[-1]} s, ${r_all[-1]} s}"
done

m_one=$(printf '%s\n' "${one[@]}" | median)
m_all=$(printf '%s\n' "${all[@]}" | median)
m_all_fresh=$(printf '%s\n' "${all_fresh[@]}" | median)
echo
m_one_instructor=$(printf '%s\n' "${one_instructor[@]}" | median)
echo "one topic (01) after a one-line edit, warm, in the student release: median $m_one s over $runs runs (${one[*]})"
if [ "$compare" = 1 ]; then
  m_r_one=$(printf '%s\n' "${r_one[@]}" | median)
  echo "  rustlings $RUSTLINGS_VERSION run threads3 after a one-line edit: median $m_r_one s (${r_one[*]})"
  echo "  ratio ours / rustlings: $(ratio "$m_one" "$m_r_one")"
fi
echo "  the same in this checkout, hidden tests included: median $m_one_instructor s (${one_instructor[*]})"
if [ "$compare" = 1 ]; then
  echo "  ratio ours / rustlings: $(ratio "$m_one_instructor" "$m_r_one")"
fi
echo "all topics, warm: median $m_all s over $runs runs (${all[*]})"
if [ "$compare" = 1 ]; then
  m_r_all=$(printf '%s\n' "${r_all[@]}" | median)
  echo "  rustlings $RUSTLINGS_VERSION check-all, warm: median $m_r_all s (${r_all[*]})"
  echo "  ratio ours / rustlings: $(ratio "$m_all" "$m_r_all")"
fi
echo "all topics, warm, --fresh (every test runs again): median $m_all_fresh s over $runs runs (${all_fresh[*]})"
if [ "$compare" = 1 ]; then
  echo "  ratio ours / rustlings: $(ratio "$m_all_fresh" "$m_r_all")"
fi

if [ "${BENCH_FRESH:-1}" = 1 ]; then
  # A fresh copy of the release, as a student clones it. Every output line is
  # time-stamped, so that the run also tells when the first line appeared and
  # when xtask itself was built (cargo's "Running" line).
  fresh=()
  for i in $(seq "${FRESH_RUNS:-1}"); do
    rm -rf "$work/clone"
    cp -r "$release" "$work/clone"
    cargo_home=${CARGO_HOME:-$HOME/.cargo}
    if [ "${BENCH_EMPTY_REGISTRY:-0}" = 1 ]; then
      rm -rf "$work/cargo-home"
      cargo_home=$work/cargo-home
    fi
    t0=$(now)
    (cd "$work/clone" && CARGO_HOME="$cargo_home" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
      CARGO_TARGET_DIR="$work/clone/target" cargo xtask check 01 2>&1 </dev/null || true) |
      while IFS= read -r line; do
        printf '%s %s\n' "$(awk "BEGIN{printf \"%.2f\", $(now)-$t0}")" "$line"
      done >"$work/fresh.log"
    t1=$(now)
    fresh+=("$(awk "BEGIN{printf \"%.2f\", $t1-$t0}")")
    first=$(awk 'NR==1 {print $1}' "$work/fresh.log")
    built=$(awk '/Running `/ {print $1; exit}' "$work/fresh.log")
    echo "fresh copy of the release $i: ${fresh[-1]} s; first output after ${first:-?} s; xtask built after ${built:-?} s"
  done
  if [ "${BENCH_EMPTY_REGISTRY:-0}" = 1 ]; then registry="every crate downloaded"; else registry="crates already downloaded"; fi
  echo "fresh release to first verdict (topic 01, cold build, $registry): median $(printf '%s\n' "${fresh[@]}" | median) s (${fresh[*]})"
fi
