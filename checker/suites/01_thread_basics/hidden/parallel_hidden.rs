//! Hidden tests of `parallel_sum` and `count_primes` (src/parallel.rs).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thread_basics::{count_primes, parallel_sum};

/// The number of primes below `limit`, by the sieve of Eratosthenes.
fn primes_below(limit: u64) -> u64 {
    let limit = limit as usize;
    if limit < 3 {
        return 0;
    }
    let mut composite = vec![false; limit];
    let mut count = 0;
    for n in 2..limit {
        if !composite[n] {
            count += 1;
            for multiple in (n * n..limit).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    count
}

#[test]
fn parallel_sum_of_nothing_is_zero() {
    threadlings_harness::graded(|| {
        for threads in [0, 1, 2, 8] {
            let sum = parallel_sum(&[], threads);
            assert_eq!(
                sum, 0,
                "parallel_sum(&[], {threads}) returned {sum}, expected 0 (careful: \
                 slice.chunks(0) panics)"
            );
        }
    });
}

#[test]
fn parallel_sum_zero_threads_means_one() {
    threadlings_harness::graded(|| {
        let data: Vec<u64> = (1..=100).collect();
        let sum = parallel_sum(&data, 0);
        assert_eq!(
            sum, 5050,
            "parallel_sum(1..=100, 0 threads) returned {sum}, expected 5050: a thread count of \
             0 is treated as 1"
        );
    });
}

#[test]
fn parallel_sum_more_threads_than_items() {
    threadlings_harness::graded(|| {
        for len in 0..=20u64 {
            let data: Vec<u64> = (1..=len).map(|i| i * 1_000_003).collect();
            let expected: u64 = data.iter().sum();
            for threads in 0..=24 {
                let sum = parallel_sum(&data, threads);
                assert_eq!(
                    sum, expected,
                    "parallel_sum of {len} items on {threads} threads returned {sum}, expected \
                     {expected}: check how the chunk length is rounded (items lost or counted \
                     twice at the end?) and the case of more threads than items"
                );
            }
        }
    });
}

#[test]
fn parallel_sum_random_inputs() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let len = rng.random_range(0..60_000usize);
            let threads = rng.random_range(0..=9usize);
            // Values up to 2^40 keep any sum of 60 000 of them far below u64::MAX.
            let data: Vec<u64> = (0..len).map(|_| rng.random_range(0..1u64 << 40)).collect();
            let expected: u64 = data.iter().sum();
            let sum = parallel_sum(&data, threads);
            assert_eq!(
                sum, expected,
                "parallel_sum of {len} random values on {threads} threads returned {sum}, \
                 expected {expected}"
            );
        });
    });
}

#[test]
fn count_primes_small_limits() {
    threadlings_harness::graded(|| {
        let cases = [
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 1),
            (4, 2),
            (5, 2),
            (6, 3),
            (10, 4),
            (11, 4),
            (12, 5),
            (100, 25),
            (1_000, 168),
            (10_000, 1_229),
            (100_000, 9_592),
        ];
        for (limit, expected) in cases {
            for threads in [0, 1, 2, 7] {
                let count = count_primes(limit, threads);
                assert_eq!(
                    count, expected,
                    "count_primes({limit}, {threads} threads) returned {count}, expected \
                     {expected} (primes strictly below {limit}; 0 threads means 1): is every \
                     number of 0..limit checked exactly once, even with more threads than numbers?"
                );
            }
        }
    });
}

#[test]
fn count_primes_random_limits() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let limit = rng.random_range(0..30_000u64);
            let threads = rng.random_range(0..=9usize);
            let expected = primes_below(limit);
            let count = count_primes(limit, threads);
            assert_eq!(
                count, expected,
                "count_primes({limit}, {threads} threads) returned {count}, expected {expected}: \
                 are numbers near the block or chunk boundaries and near the limit checked \
                 exactly once?"
            );
        });
    });
}
