#!/usr/bin/env bash
# What the compile-time confinement costs, recorded in BENCHMARKS.md.
#
#   scripts/bench-sandbox.sh [RUNS]      (default 5 runs each, alternated, medians)
#
# Rebuilds topic 01's sandbox after a one-line edit of a student file, the way
# the checker builds it, once with the confining rustc wrapper (Landlock, the
# scrubbed environment, the private output folder) and once with a plain rustc,
# alternating the two in one run. The sandbox is the one `cargo xtask check 01
# --solutions` assembled; the test-process side is measured by timing whole
# checks (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
now() { date +%s.%N; }

cargo build -q -p xtask
./target/debug/xtask check 01 --solutions >/dev/null || true
xtask=$(pwd)/target/debug/xtask
sandbox=$(pwd)/target/threadlings/sandboxes/solutions/01_thread_basics
crate=$sandbox/solutions
sysroot=$(rustc --print sysroot)
confinement=$(printf '{"crate_dir":"%s","sysroot":"%s","topic_crates":["thread_basics"],"seconds":120,"require_landlock":true}' "$crate" "$sysroot")

build() { # $1: with or without the wrapper
  echo "// edit $(now)" >> "$crate/src/spawn.rs"
  local t0 t1
  t0=$(now)
  if [ "$1" = with ]; then
    (cd "$sandbox" && env THREADLINGS_RUSTC_CONFINEMENT="$confinement" RUSTC_WRAPPER="$xtask" \
      RUSTC="$sysroot/bin/rustc" CARGO_TARGET_DIR="$sandbox/target" \
      CARGO_BUILD_BUILD_DIR="$(pwd)/target/threadlings/build" \
      cargo test -q --no-run --offline --test suite >/dev/null 2>&1)
  else
    (cd "$sandbox" && env RUSTC="$sysroot/bin/rustc" CARGO_TARGET_DIR="$sandbox/target" \
      CARGO_BUILD_BUILD_DIR="$(pwd)/target/threadlings/build" \
      cargo test -q --no-run --offline --test suite >/dev/null 2>&1)
  fi
  t1=$(now)
  awk "BEGIN{printf \"%.3f\", $t1-$t0}"
}

# One discarded round of each: this environment differs from the checker's
# scrubbed one, which can rebuild dependencies once.
build with >/dev/null
build without >/dev/null
with=(); without=()
for _ in $(seq "$runs"); do
  with+=("$(build with)")
  without+=("$(build without)")
done
# Leave the sandbox as the checker wrote it.
./target/debug/xtask check 01 --solutions >/dev/null || true

w=$(printf '%s\n' "${with[@]}" | median)
wo=$(printf '%s\n' "${without[@]}" | median)
echo "rebuild after an edit, confined rustc:  median ${w} s  (${with[*]})"
echo "rebuild after an edit, plain rustc:     median ${wo} s  (${without[*]})"
awk "BEGIN{printf \"ratio confined / plain: %.2f\n\", $w/$wo}"
