//! Minimal `parallel.rs`: ceiling-sized chunks for the sum, a shared block
//! cursor (work stealing) for the primes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// Numbers one thread takes from the shared cursor at a time.
const BLOCK: u64 = 512;

/// Sums contiguous chunks on `threads` scoped threads.
pub fn parallel_sum(data: &[u64], threads: usize) -> u64 {
    if data.is_empty() {
        return 0;
    }
    let chunk_len = data.len().div_ceil(threads.max(1));
    thread::scope(|scope| {
        let handles: Vec<_> = data
            .chunks(chunk_len)
            .map(|chunk| scope.spawn(move || chunk.iter().sum::<u64>()))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("summing does not panic"))
            .sum()
    })
}

/// Number of primes below `limit`, on `threads` threads; the work must be balanced so it scales with cores.
pub fn count_primes(limit: u64, threads: usize) -> u64 {
    let cursor = AtomicU64::new(0);
    let cursor = &cursor;
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(move || {
                    let mut found = 0;
                    loop {
                        let start = cursor.fetch_add(BLOCK, Ordering::Relaxed);
                        if start >= limit {
                            return found;
                        }
                        let end = start.saturating_add(BLOCK).min(limit);
                        found += (start..end).filter(|&n| crate::is_prime(n)).count() as u64;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("counting does not panic"))
            .sum()
    })
}
