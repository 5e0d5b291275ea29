//! Topic 01: thread basics.
//!
//! Three small exercises about what a thread is:
//!
//! - [`spawn`]: start named threads and let each one say who it is
//!   (its name, its id, and the id of the process it lives in);
//! - [`parallel`]: split work over several threads, and see that CPU-bound
//!   work really runs faster on two cores (Rust has no GIL);
//! - [`stop`]: a thread cannot be killed from outside, so it must be asked
//!   to stop, and it must listen.
//!
//! This file is given: do not edit it. You write `src/spawn.rs`,
//! `src/parallel.rs` and `src/stop.rs`.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

pub mod parallel;
pub mod spawn;
pub mod stop;

pub use parallel::{count_primes, parallel_sum};
pub use spawn::spawn_named;
pub use stop::start_counter;

/// What a thread reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    /// The thread's name, as `std::thread::current().name()` sees it inside the thread.
    pub name: Option<String>,
    /// The thread's id, like Python's `threading.current_thread().ident`.
    pub id: std::thread::ThreadId,
    /// The id of the process the thread runs in (`std::process::id()`).
    pub pid: u32,
}

/// Whether `n` is a prime number, by trial division.
///
/// Deliberately simple and CPU-bound: the larger `n` is, the longer the check
/// takes. [`count_primes`] should call it once for every number it looks at.
///
/// ```
/// use thread_basics::is_prime;
/// assert!(is_prime(2) && is_prime(97));
/// assert!(!is_prime(0) && !is_prime(1) && !is_prime(91));
/// ```
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n < 4 {
        return true;
    }
    if n.is_multiple_of(2) {
        return false;
    }
    let mut divisor = 3;
    // `divisor <= n / divisor` is `divisor * divisor <= n` without overflow.
    while divisor <= n / divisor {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 2;
    }
    true
}
