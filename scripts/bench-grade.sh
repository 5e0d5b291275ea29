#!/usr/bin/env bash
# Benchmark of `cargo xtask grade` recorded in BENCHMARKS.md ("Grading").
#
#   scripts/bench-grade.sh [COPIES] [SMALL]   (default 20 and 1)
#
# Grades SMALL and then COPIES copies of the reference solutions plus as many
# copies of the skeletons (all topics), with --jobs 1 and --jobs <cores>, and
# prints the total time of each run and the marginal cost per submission,
# (T(COPIES) - T(SMALL)) / (2 × (COPIES - SMALL)).
#
# BENCH_REFERENCES_ONLY=1 grades only the reference copies (every submission
# working, every test run): the marginal cost is then (T(COPIES) - T(SMALL)) /
# (COPIES - SMALL). BENCH_JOBS="2" picks the --jobs values (default "1 <cores>").
# BENCH_SHARDS=N then grades the large class once more as N shards, one after
# the other, with the last --jobs value, as N CI runners would each grade one
# (`--shard I/N`): it prints each shard's time and size, and their sum.
# Every run's scores are checked: each reference copy must get 600/600 and each
# skeleton 0/600, or the timings would measure a broken grader.
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
        if [ "${BENCH_REFERENCES_ONLY:-0}" != 1 ]; then
          install -D "exercises/$t/$f" "$1/skel$i/exercises/$t/$f"
        fi
      done
    done
  done
}
make_class "$work/small" "$small"
make_class "$work/large" "$copies"
cargo build -q -p xtask
now() { date +%s.%N; }
per_copy=2
if [ "${BENCH_REFERENCES_ONLY:-0}" = 1 ]; then per_copy=1; fi
# Checks a run's grades.csv: references full marks, skeletons none; prints its size.
check_grades() { # out dir
  awk -F, 'NR > 1 {
      n++
      if ($1 ~ /^ref/ && $2 != $3) bad = bad " " $1 "=" $2
      if ($1 ~ /^skel/ && $2 != 0) bad = bad " " $1 "=" $2
    }
    END {
      if (bad != "") { print "unexpected scores:" bad > "/dev/stderr"; exit 1 }
      print n
    }' "$1/grades.csv"
}
for jobs in ${BENCH_JOBS:-1 $cores}; do
  declare -A took
  for class in small large; do
    start=$(now)
    cargo xtask grade "$work/$class" --out "$work/out-$class-$jobs" --jobs "$jobs" >/dev/null 2>&1 || true
    took[$class]=$(echo "$(now) - $start" | bc)
    check_grades "$work/out-$class-$jobs" >/dev/null
  done
  n_small=$((per_copy * small)); n_large=$((per_copy * copies))
  echo "jobs=$jobs: $n_small submissions ${took[small]} s, $n_large submissions ${took[large]} s," \
    "marginal $(echo "scale=1; (${took[large]} - ${took[small]}) / ($n_large - $n_small)" | bc) s per submission" \
    "(load $(cut -d' ' -f1-3 /proc/loadavg))"
done

shards=${BENCH_SHARDS:-0}
if [ "$shards" -gt 1 ]; then
  total=0
  for i in $(seq "$shards"); do
    start=$(now)
    cargo xtask grade "$work/large" --out "$work/out-shard-$i" --jobs "$jobs" --shard "$i/$shards" \
      >/dev/null 2>&1 || true
    took_shard=$(echo "$(now) - $start" | bc)
    graded=$(check_grades "$work/out-shard-$i")
    total=$(echo "$total + $took_shard" | bc)
    echo "shard $i/$shards (--jobs $jobs): $graded submissions in $took_shard s"
  done
  echo "shards together: $total s (the whole class in one run: ${took[large]} s)"
fi
