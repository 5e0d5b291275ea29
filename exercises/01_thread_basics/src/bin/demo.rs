//! The lesson's first look at threads, using your `spawn.rs`, `parallel.rs` and `stop.rs`.
//!
//! Run it with `cargo run -p thread_basics --bin demo`. Waiting times are one
//! lesson unit (1 s) times `THREADLINGS_TIME_SCALE` (default 1).
//!
//! This file is given: do not edit it.

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use thread_basics::{count_primes, parallel_sum, spawn_named, start_counter};

fn main() {
    a_thread_lives_inside_a_process();
    cpu_bound_work_scales();
    a_thread_must_be_asked_to_stop();
}

/// Every thread has its own name and id, but all share one process id.
fn a_thread_lives_inside_a_process() {
    println!("== a thread lives inside a process ==");
    let me = thread::current();
    let pid = std::process::id();
    println!(
        "main thread: name {:?}, {:?}, pid {pid}",
        me.name(),
        me.id()
    );

    let infos = spawn_named(&["worker-1", "worker-2", "worker-3"]);
    for info in &infos {
        println!(
            "thread {:?} reports: {:?}, pid {}",
            info.name.as_deref().unwrap_or("<unnamed>"),
            info.id,
            info.pid
        );
    }
    let same_pid = infos.iter().all(|info| info.pid == pid);
    println!(
        "all {} threads share pid {pid}: {same_pid}",
        infos.len() + 1
    );
}

/// Rust has no GIL: two threads do CPU-bound work in about half the time.
fn cpu_bound_work_scales() {
    println!("== no GIL: CPU-bound work scales ==");
    let data: Vec<u64> = (1..=1_000_000).collect();
    println!(
        "parallel_sum of 1..=1000000 on 4 threads (all reading the same Vec): {}",
        parallel_sum(&data, 4)
    );

    let limit = 300_000;
    for threads in [1, 2] {
        let started = Instant::now();
        let primes = count_primes(limit, threads);
        let elapsed = started.elapsed();
        let word = if threads == 1 { "thread" } else { "threads" };
        println!("primes below {limit} on {threads} {word}: {primes} in {elapsed:?}");
    }
}

/// A thread cannot be killed from outside: we set its stop flag and it stops itself.
fn a_thread_must_be_asked_to_stop() {
    println!("== a thread must be asked to stop ==");
    let stop = Arc::new(AtomicBool::new(false));
    let counter = start_counter(Arc::clone(&stop));
    println!("counter started; main keeps going while it counts");

    thread::sleep(lesson_units(0.5));
    stop.store(true, Ordering::Relaxed);
    let asked = Instant::now();
    let count = counter.join().expect("the counter thread panicked");
    println!(
        "stop flag set; the counter returned {count} loop iterations {:?} later",
        asked.elapsed()
    );
}

/// `units` lesson units of 1 s each, scaled by `THREADLINGS_TIME_SCALE`.
fn lesson_units(units: f64) -> Duration {
    let scale = std::env::var("THREADLINGS_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    Duration::from_secs_f64(units * scale)
}
