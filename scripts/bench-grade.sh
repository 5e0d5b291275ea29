#!/usr/bin/env bash
# Benchmark of `cargo xtask grade` recorded in BENCHMARKS.md ("Grading").
#
#   scripts/bench-grade.sh [COPIES] [SMALL]   (default 20 and 1)
#
# Grades SMALL and then COPIES copies of the reference solutions plus as many
# copies of the skeletons (all topics), with --jobs 1 and --jobs <cores>, and
# prints the total time of each run and the marginal cost per submission,
# (T(COPIES) - T(SMALL)) / (2 × (COPIES - SMALL)).
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-20}
small=${2:-1}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

student_files() { # topic dir -> its student files
  python3 - "$1" <<'PY'
import sys, tomllib
d = tomllib.load(open("checker/suites/topics.toml", "rb"))
print(" ".join(f for t in d["topic"] if t["dir"] == sys.argv[1] for f in t["student_files"]))
PY
}
make_class() { # dir n
  mkdir -p "$1"
  for i in $(seq -w 1 "$2"); do
    for t in solutions/*/; do
      t=$(basename "$t")
      for f in $(student_files "$t"); do
        install -D "solutions/$t/$f" "$1/ref$i/exercises/$t/$f"
        install -D "exercises/$t/$f" "$1/skel$i/exercises/$t/$f"
      done
    done
  done
}
make_class "$work/small" "$small"
make_class "$work/large" "$copies"
cargo build -q -p xtask
now() { date +%s.%N; }
for jobs in 1 "$cores"; do
  declare -A took
  for class in small large; do
    start=$(now)
    cargo xtask grade "$work/$class" --out "$work/out-$class-$jobs" --jobs "$jobs" >/dev/null 2>&1 || true
    took[$class]=$(echo "$(now) - $start" | bc)
  done
  n_small=$((2 * small)); n_large=$((2 * copies))
  echo "jobs=$jobs: $n_small submissions ${took[small]} s, $n_large submissions ${took[large]} s," \
    "marginal $(echo "scale=1; (${took[large]} - ${took[small]}) / ($n_large - $n_small)" | bc) s per submission" \
    "(load $(cut -d' ' -f1-3 /proc/loadavg))"
done
