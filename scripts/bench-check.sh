#!/usr/bin/env bash
# Benchmarks of `cargo xtask check` recorded in BENCHMARKS.md.
#
#   scripts/bench-check.sh [RUNS]        (default 5 runs each, median reported)
#
# 1. warm re-check of one topic after a one-line edit of a student file;
# 2. all topics, warm;
# 3. fresh clone to first verdict (a new clone, its own target dir, cold build).
# Runs against the reference solutions copied into a student-shaped folder, so
# every test really runs (a skeleton fails fast and would flatter the numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }
now() { date +%s.%N; }

src="$work/source"
for dir in solutions/*/; do
  topic=$(basename "$dir")
  mkdir -p "$src/exercises/$topic"
  cp -r "$dir"/. "$src/exercises/$topic/"
done
cargo build -q -p xtask
cargo xtask check --source "$src" >/dev/null || true  # warm every sandbox once

edited="$src/exercises/01_thread_basics/src/spawn.rs"
one=()
for i in $(seq "$runs"); do
  echo "// edit $i" >> "$edited"
  t0=$(now); cargo xtask check 01 --source "$src" >/dev/null || true; t1=$(now)
  one+=("$(awk "BEGIN{printf \"%.2f\", $t1-$t0}")")
done
all=()
for i in $(seq "$runs"); do
  t0=$(now); cargo xtask check --source "$src" >/dev/null || true; t1=$(now)
  all+=("$(awk "BEGIN{printf \"%.2f\", $t1-$t0}")")
done
echo "one topic after a one-line edit, warm: median $(printf '%s\n' "${one[@]}" | median) s over $runs runs (${one[*]})"
echo "all topics, warm: median $(printf '%s\n' "${all[@]}" | median) s over $runs runs (${all[*]})"

if [ "${BENCH_FRESH:-1}" = 1 ]; then
  fresh=()
  for i in $(seq "${FRESH_RUNS:-1}"); do
    rm -rf "$work/clone"
    git clone -q . "$work/clone"
    t0=$(now)
    (cd "$work/clone" && CARGO_TARGET_DIR="$work/clone/target" cargo xtask check 01 >/dev/null) || true
    t1=$(now)
    fresh+=("$(awk "BEGIN{printf \"%.2f\", $t1-$t0}")")
  done
  echo "fresh clone to first verdict (topic 01, cold build, crates already downloaded): median $(printf '%s\n' "${fresh[@]}" | median) s (${fresh[*]})"
fi
