//! Splitting work over several threads.
//!
//! In CPython the global interpreter lock (GIL) lets only one thread run
//! Python code at a time, so threads do not make computations faster. Rust
//! has no GIL: CPU-bound work split over two threads should finish in about
//! half the time on two cores.
//!
//! A `threads` count of 0 is treated as 1.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

/// Sums `data` by splitting it into contiguous chunks, one per thread.
///
/// Use `std::thread::scope`: scoped threads may borrow `data`, so nothing
/// needs to be copied. Cut `data` into at most `threads` chunks of nearly
/// equal length (`data.chunks(...)`), sum each chunk on its own scoped
/// thread, join them all and add up the partial sums.
///
/// Watch the edge cases: empty `data` sums to 0, `threads == 0` counts as 1,
/// and there may be more threads than items.
pub fn parallel_sum(data: &[u64], threads: usize) -> u64 {
    todo!()
}

/// Counts the primes below `limit` (`0..limit`) using `threads` threads.
///
/// Check every number with [`crate::is_prime`]. The point is speed: with two
/// threads on two cores this must run clearly faster than with one. Larger
/// numbers take longer to check, so giving each thread one contiguous half
/// is unfair to the thread with the big numbers. Hand the numbers out so
/// that every thread gets a fair share, e.g. small blocks in turn (thread
/// `t` takes blocks `t`, `t + threads`, `t + 2 * threads`, ...), or let the
/// threads take the next block from a shared `AtomicU64` until none is left.
pub fn count_primes(limit: u64, threads: usize) -> u64 {
    todo!()
}
