//! The lesson's program: starting threads is asynchronous and non-blocking,
//! joining them is synchronous and blocking.
//!
//! Part 1 uses `std::thread` directly; part 2 calls the functions you write in
//! `src/join.rs`, `src/race.rs` and `src/timeout.rs`.
//!
//! Run it with `cargo run -p join_all --bin demo`. One time unit is one second,
//! multiplied by `THREADLINGS_TIME_SCALE` when that is set (0.1 runs ten times
//! faster).

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::thread;
use std::time::{Duration, Instant};

use join_all::{Task, first_of, join_all, join_all_settled, run_with_timeout, task};

fn main() {
    let unit = time_unit();
    let clock = Clock::start(unit);

    println!("start is asynchronous and non-blocking:");
    // Sleepers of 3, 1 and 2 units: spawn returns at once, while they sleep.
    let handles: Vec<_> = [3, 1, 2]
        .into_iter()
        .map(|units| thread::spawn(move || sleep_units(units, unit)))
        .collect();
    println!(
        "  spawned sleepers of 3, 1 and 2 units; spawning took {}",
        clock.units()
    );

    println!("join is synchronous and blocking:");
    // Keep the handles, join each one. The first join blocks for 3 units; by
    // then the others are done too, so their joins return at once.
    for (index, handle) in handles.into_iter().enumerate() {
        let slept = handle.join().expect("a sleeper never panics");
        println!(
            "  join(sleeper {index}) gave {slept}, {} after the start",
            clock.units()
        );
    }
    println!("  all joined: the total is the slowest sleeper (3 units), not the sum (6 units)");

    println!("your join_all, first_of and run_with_timeout:");
    let results = join_all(sleepers(unit));
    println!("  join_all(sleepers of 3, 1, 2 units) = {results:?} (task order)");

    let settled = join_all_settled(vec![
        task(|| 1),
        task(|| -> i32 { panic!("task 1 gave up") }),
        task(|| 3),
    ]);
    println!("  join_all_settled(1, panic, 3) = {settled:?}");

    let winner = first_of(sleepers(unit));
    println!("  first_of(sleepers of 3, 1, 2 units) = {winner:?} (index, value)");

    let in_time = run_with_timeout(unit * 2, move || sleep_units(1, unit));
    println!("  run_with_timeout(2 units, sleeper of 1 unit) = {in_time:?}");

    let too_slow = run_with_timeout(unit, move || sleep_units(3, unit));
    println!("  run_with_timeout(1 unit, sleeper of 3 units) = {too_slow:?}");
}

/// Three tasks sleeping 3, 1 and 2 units; each returns how many units it slept.
fn sleepers(unit: Duration) -> Vec<Task<u32>> {
    [3, 1, 2]
        .into_iter()
        .map(|units| task(move || sleep_units(units, unit)))
        .collect()
}

/// Sleeps `units` time units and returns `units`.
fn sleep_units(units: u32, unit: Duration) -> u32 {
    thread::sleep(unit * units);
    units
}

/// One time unit: 1 s times `THREADLINGS_TIME_SCALE` (default 1).
fn time_unit() -> Duration {
    let scale = std::env::var("THREADLINGS_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(scale)
}

/// Measures time since the start of the program in whole units.
struct Clock {
    start: Instant,
    unit: Duration,
}

impl Clock {
    fn start(unit: Duration) -> Self {
        Clock {
            start: Instant::now(),
            unit,
        }
    }

    /// "3 units": whole units elapsed, rounded down, because a sleep never ends early.
    fn units(&self) -> String {
        let whole = self.start.elapsed().as_secs_f64() / self.unit.as_secs_f64();
        match whole.floor() as u64 {
            1 => "1 unit".to_owned(),
            n => format!("{n} units"),
        }
    }
}
