//! The lesson's son1/son2 program, with Python's rules for daemon threads.
//!
//! - son1 is a daemon (守护线程): it prints `in son1` every half unit, forever;
//! - son2 is an ordinary thread: it prints `in son2` every unit, five times;
//! - main sleeps 3 units, then finishes: it waits for son2, and son1 is stopped
//!   once no ordinary thread is left.
//!
//! So the program ends after son2's fifth line (about 5 units), not after main's
//! 3 units, and son1 never prints after the end line. One unit is one second times
//! `THREADLINGS_TIME_SCALE` (default 1): `THREADLINGS_TIME_SCALE=0.1` runs it ten
//! times faster.

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::thread;
use std::time::Duration;

use daemon_threads::Runtime;

fn main() {
    let unit = time_unit();
    let runtime = Runtime::new();
    println!("main: starting son1 (daemon) and son2");

    runtime.spawn_daemon("son1", move |shutdown| {
        // Python's son1 is `while True`; a Rust thread cannot be killed from outside,
        // so ours stops by itself when shutdown is signalled.
        while !shutdown.sleep(unit / 2) {
            println!("in son1");
        }
    });
    runtime.spawn("son2", move || {
        for _ in 0..5 {
            thread::sleep(unit);
            println!("in son2");
        }
    });

    thread::sleep(unit * 3);
    println!("main: my own work is done; waiting for the ordinary thread son2");
    let summary = runtime.finish(unit);
    println!(
        "end: finished {:?}, panicked {:?}, daemons stopped {}, daemons abandoned {}",
        summary.finished, summary.panicked, summary.daemons_stopped, summary.daemons_abandoned
    );
}

/// One unit of the lesson's time: 1 s × `THREADLINGS_TIME_SCALE`.
fn time_unit() -> Duration {
    let scale = std::env::var("THREADLINGS_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && *s <= 1000.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(scale)
}
