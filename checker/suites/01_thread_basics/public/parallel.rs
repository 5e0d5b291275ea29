//! Public tests of `parallel_sum` and `count_primes` (src/parallel.rs).

use std::time::{Duration, Instant};

use thread_basics::{count_primes, parallel_sum};

#[test]
fn parallel_sum_adds_everything() {
    threadlings_harness::graded(|| {
        let data: Vec<u64> = (1..=1000).collect();
        for threads in [1, 2, 4] {
            let sum = parallel_sum(&data, threads);
            assert_eq!(
                sum, 500_500,
                "parallel_sum(1..=1000, {threads} threads) returned {sum}, expected 500500: \
                 is every chunk summed and every partial sum added?"
            );
        }
    });
}

#[test]
fn count_primes_below_100() {
    threadlings_harness::graded(|| {
        for threads in [1, 2, 4] {
            let count = count_primes(100, threads);
            assert_eq!(
                count, 25,
                "count_primes(100, {threads} threads) returned {count}, expected 25 (2, 3, 5, \
                 ..., 97): is every number below the limit checked exactly once?"
            );
        }
    });
}

/// A fixed amount of CPU-bound work that has nothing to do with primes.
fn spin(rounds: u64) -> u64 {
    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15_u64);
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// How long `threads` threads take to share [`spin`] work between them: the
/// test's own measure of how many cores the machine gives it right now.
fn probe(threads: usize) -> Duration {
    const ROUNDS: u64 = 60_000_000;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| std::hint::black_box(spin(ROUNDS / threads as u64)));
        }
    });
    started.elapsed()
}

/// Performance tier: Rust has no GIL, so two threads must beat one on CPU-bound work.
///
/// Best of 3 alternated measurements. Beside them the test times its own
/// two-thread workload: when even that cannot reach 1.6x, the machine is too
/// busy to lend two cores, and the test is skipped with a note. When the
/// machine does lend two cores but the speedup falls short, up to 3 more
/// rounds are measured before failing, so one noisy moment cannot fail a
/// correct solution (more rounds only bring both best times closer to the
/// truth; they cannot lift a one-thread solution to 1.3x).
#[test]
fn count_primes_scales_with_two_threads() {
    threadlings_harness::graded(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            threadlings_harness::note(format!(
                "skipped: this machine offers {cores} core(s); the scaling test needs 2"
            ));
            return;
        }
        const LIMIT: u64 = 1_000_000;
        const PRIMES_BELOW_LIMIT: u64 = 78_498;
        const ROUNDS: usize = 3;
        const MAX_ROUNDS: usize = 6;
        const REQUIRED: f64 = 1.3;
        const PROBE_REQUIRED: f64 = 1.6;

        let timed = |threads: usize| {
            let started = Instant::now();
            let count = count_primes(LIMIT, threads);
            let elapsed = started.elapsed();
            assert_eq!(
                count, PRIMES_BELOW_LIMIT,
                "count_primes({LIMIT}, {threads}) returned {count}, expected {PRIMES_BELOW_LIMIT}"
            );
            elapsed
        };
        let ratio = |one: Duration, two: Duration| one.as_secs_f64() / two.as_secs_f64().max(1e-9);

        // Best times, alternating one and two threads so that a busy moment
        // of the machine hurts both sides alike.
        let (mut one, mut two) = (Duration::MAX, Duration::MAX);
        let (mut probe_one, mut probe_two) = (Duration::MAX, Duration::MAX);
        let mut rounds = 0;
        while rounds < MAX_ROUNDS {
            one = one.min(timed(1));
            two = two.min(timed(2));
            probe_one = probe_one.min(probe(1));
            probe_two = probe_two.min(probe(2));
            rounds += 1;
            let settled =
                ratio(one, two) >= REQUIRED || ratio(probe_one, probe_two) < PROBE_REQUIRED;
            if rounds >= ROUNDS && settled {
                break;
            }
        }
        let speedup = ratio(one, two);
        let probe_speedup = ratio(probe_one, probe_two);
        threadlings_harness::note(format!(
            "count_primes({LIMIT}): 1 thread {one:?}, 2 threads {two:?}, speedup {speedup:.2}x \
             (best of {rounds}; the test's own 2-thread workload: {probe_speedup:.2}x)"
        ));
        if speedup >= REQUIRED {
            return;
        }
        if probe_speedup < PROBE_REQUIRED {
            threadlings_harness::note(format!(
                "skipped: the machine is too busy to measure scaling (the test's own 2-thread \
                 workload reached only {probe_speedup:.2}x, it needs {PROBE_REQUIRED}x)"
            ));
            return;
        }
        panic!(
            "count_primes({LIMIT}) took {one:?} on 1 thread and {two:?} on 2 threads (best of \
             {rounds}): a speedup of {speedup:.2}x, expected at least {REQUIRED}x (the machine \
             does lend 2 cores: the test's own 2-thread workload reached {probe_speedup:.2}x). \
             Does it really use both threads, and does each get a fair share of the work? \
             Contiguous halves are unfair: the big numbers take longer to check."
        );
    });
}
