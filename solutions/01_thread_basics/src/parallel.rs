//! Splitting work over several threads.
//!
//! In CPython the global interpreter lock (GIL) lets only one thread run
//! Python code at a time, so threads do not make computations faster. Rust
//! has no GIL: CPU-bound work split over two threads should finish in about
//! half the time on two cores.
//!
//! A `threads` count of 0 is treated as 1.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// How many numbers a thread of [`count_primes`] takes at a time.
const BLOCK: u64 = 1024;

/// Sums `data` by splitting it into contiguous chunks, one per scoped thread.
pub fn parallel_sum(data: &[u64], threads: usize) -> u64 {
    if data.is_empty() {
        return 0;
    }
    let threads = threads.max(1);
    // Rounded up, so there are never more than `threads` chunks.
    let chunk_len = data.len().div_ceil(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = data
            .chunks(chunk_len)
            .map(|chunk| scope.spawn(move || chunk.iter().sum::<u64>()))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a summing thread panicked"))
            .sum()
    })
}

/// Counts the primes below `limit` using `threads` threads.
///
/// The threads share a counter of blocks handed out: each takes the next
/// block of [`BLOCK`] numbers until none is left, so a thread that got cheap
/// numbers simply takes more blocks and every core stays busy to the end.
pub fn count_primes(limit: u64, threads: usize) -> u64 {
    let threads = threads.max(1);
    let next_block = AtomicU64::new(0);
    let blocks = limit.div_ceil(BLOCK);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = 0;
                    loop {
                        let block = next_block.fetch_add(1, Ordering::Relaxed);
                        if block >= blocks {
                            return found;
                        }
                        let start = block * BLOCK;
                        let end = start.saturating_add(BLOCK).min(limit);
                        found += (start..end).filter(|&n| crate::is_prime(n)).count() as u64;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a counting thread panicked"))
            .sum()
    })
}
