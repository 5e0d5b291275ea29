//! How many cores the machine lends a test right now, for performance tests.
//!
//! A performance test compares two timings of the code under test (one thread
//! against two, a shared map against private ones). On a busy machine a correct
//! solution cannot show its speed-up, so such a test also times a fixed
//! workload of its own on one and on two threads, alternated with its real
//! measurements: when even that workload cannot reach
//! [`TwoCoreProbe::REQUIRED`], the machine does not lend two cores and the test
//! is skipped with a note instead of failing.

use std::time::{Duration, Instant};

/// Best times of a fixed CPU-bound workload on one and on two threads.
#[derive(Debug, Clone, Copy)]
pub struct TwoCoreProbe {
    one: Duration,
    two: Duration,
}

impl Default for TwoCoreProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl TwoCoreProbe {
    /// The speed-up the workload must reach for the machine to count as lending two cores.
    pub const REQUIRED: f64 = 1.6;

    /// A probe with no measurement yet.
    pub fn new() -> Self {
        TwoCoreProbe {
            one: Duration::MAX,
            two: Duration::MAX,
        }
    }

    /// Times the workload once on one thread and once on two, keeping the best of each.
    pub fn measure(&mut self) {
        self.one = self.one.min(spin_on(1));
        self.two = self.two.min(spin_on(2));
    }

    /// The best two-thread speed-up measured so far (0 before any measurement).
    pub fn speedup(&self) -> f64 {
        if self.one == Duration::MAX {
            return 0.0;
        }
        self.one.as_secs_f64() / self.two.as_secs_f64().max(1e-9)
    }

    /// Whether the machine lent two cores in the best measurements.
    pub fn lends_two_cores(&self) -> bool {
        self.speedup() >= Self::REQUIRED
    }

    /// For a test's note: the speed-up the workload reached, or that it was
    /// not needed (a test measures the probe only while the code under test
    /// falls short of its bar: the probe tells a busy machine from slow code).
    pub fn summary(&self) -> String {
        if self.one == Duration::MAX {
            "the test's own 2-thread workload: not needed".to_owned()
        } else {
            format!("the test's own 2-thread workload: {:.2}x", self.speedup())
        }
    }
}

/// Runs the rounds of a speed comparison and returns how many ran, with the
/// probe. Each call of `round` times the code under test once more (keeping
/// its best times, alternating the two sides so that a busy moment of the
/// machine hurts both alike) and returns the speed-up so far. While that is
/// short of `required`, the round also times the probe: it tells a busy machine
/// from code that does not scale. After `min` rounds the comparison stops as
/// soon as the code reaches `required` or the probe finds that the machine does
/// not lend two cores; it never runs more than `max` rounds.
pub fn compare_rounds(
    min: usize,
    max: usize,
    required: f64,
    mut round: impl FnMut() -> f64,
) -> (usize, TwoCoreProbe) {
    let mut probe = TwoCoreProbe::new();
    let mut rounds = 0;
    while rounds < max {
        let fast_enough = round() >= required;
        rounds += 1;
        if !fast_enough {
            probe.measure();
        }
        if rounds >= min && (fast_enough || !probe.lends_two_cores()) {
            break;
        }
    }
    (rounds, probe)
}

/// The cores this process may use, or `None` with the note to record when it
/// is fewer than 2 (a performance test is then skipped).
pub fn fewer_than_two_cores() -> Option<String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores < 2).then(|| {
        format!("skipped: this machine offers {cores} core(s); the performance test needs 2")
    })
}

/// Rounds of [`spin`] per measurement: about 0.1 s of work on one thread.
const ROUNDS: u64 = 100_000_000;

/// Shares [`ROUNDS`] of spinning between `threads` threads; returns the wall time.
fn spin_on(threads: u64) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(move || std::hint::black_box(spin(ROUNDS / threads)));
        }
    });
    started.elapsed()
}

/// A fixed amount of CPU-bound work that touches no memory (xorshift steps).
fn spin(rounds: u64) -> u64 {
    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15_u64);
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_fast_enough_stops_after_the_minimum_without_the_probe() {
        let mut calls = 0;
        let (rounds, probe) = compare_rounds(2, 6, 1.3, || {
            calls += 1;
            2.0
        });
        assert_eq!((rounds, calls), (2, 2));
        assert_eq!(probe.speedup(), 0.0, "the probe ran for code fast enough");
    }

    #[test]
    fn code_short_of_the_bar_is_compared_with_the_probe() {
        let (rounds, probe) = compare_rounds(1, 2, 1.3, || 1.0);
        assert!(probe.speedup() > 0.0, "the probe never ran");
        // Two rounds, unless the first already found a busy machine.
        assert!(
            rounds == 2 || (rounds == 1 && !probe.lends_two_cores()),
            "{rounds} rounds"
        );
    }

    #[test]
    fn an_unmeasured_probe_lends_nothing() {
        let probe = TwoCoreProbe::new();
        assert_eq!(probe.speedup(), 0.0);
        assert!(!probe.lends_two_cores());
        assert_eq!(
            probe.summary(),
            "the test's own 2-thread workload: not needed"
        );
    }

    #[test]
    fn the_workload_takes_measurable_time() {
        // Long enough that scheduler noise (a few ms) cannot swing the ratio.
        let one = spin_on(1);
        assert!(one > Duration::from_millis(20), "one thread took {one:?}");
        let mut probe = TwoCoreProbe::new();
        probe.measure();
        assert!(probe.speedup() > 0.0);
    }
}
