//! The lesson's program: shared data with and without locks.
//!
//! 1. Four threads add to one counter. Without a lock (`RacyCounter`) updates
//!    are lost; with a lock or an atomic the total is exact.
//! 2. Two threads move money in opposite directions between the same two
//!    accounts while a third keeps reading the bank's total. With a fixed lock
//!    order nothing deadlocks, and every total seen is the same.
//! 3. Word counting: one shared locked map against private maps merged at the end.
//!
//! Run it with `cargo run -p shared_state --bin demo`.

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use shared_state::{
    AtomicCounter, Bank, LockedCounter, RacyCounter, SharedCounter, merge_count, shared_map_count,
};

/// Threads updating each counter.
const THREADS: u64 = 4;
/// `add(1)` calls per thread.
const ADDS_PER_THREAD: u64 = 20_000;
/// Transfers per direction in the bank section.
const TRANSFERS: u64 = 10_000;

fn main() {
    counters();
    println!();
    bank();
    println!();
    word_count();
}

/// Section 1: the same work on three counters.
fn counters() {
    let expected = THREADS * ADDS_PER_THREAD;
    println!("== 1. lost updates (竞态条件) ==");
    println!(
        "{THREADS} threads each call add(1) {ADDS_PER_THREAD} times: the total should be {expected}"
    );
    let racy = hammer(&RacyCounter::new());
    println!(
        "RacyCounter:   got {racy} of {expected} (load, then store: {} updates lost)",
        expected - racy
    );
    println!(
        "LockedCounter: got {} of {expected}",
        hammer(&LockedCounter::new())
    );
    println!(
        "AtomicCounter: got {} of {expected}",
        hammer(&AtomicCounter::new())
    );
}

/// Runs `THREADS` threads that each add 1 to `counter` `ADDS_PER_THREAD` times; returns the total.
fn hammer(counter: &impl SharedCounter) -> u64 {
    // Every thread waits at the barrier so that all of them start counting together.
    let start = Barrier::new(THREADS as usize);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for _ in 0..ADDS_PER_THREAD {
                    counter.add(1);
                }
            });
        }
    });
    counter.get()
}

/// Section 2: opposite transfers and a watcher of the total.
fn bank() {
    let start = [TRANSFERS, TRANSFERS, TRANSFERS];
    let bank = Bank::new(&start);
    println!("== 2. a bank: two locks per transfer (死锁 avoided by a fixed lock order) ==");
    println!("accounts {start:?}, total {}", bank.total());
    println!(
        "thread A: {TRANSFERS} x transfer(0, 1, 1); thread B: {TRANSFERS} x transfer(1, 0, 1); thread C: total() meanwhile"
    );

    let done = AtomicBool::new(false);
    let totals_seen = thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut seen = BTreeSet::new();
            loop {
                let finished = done.load(Ordering::Relaxed);
                seen.insert(bank.total());
                if finished {
                    return seen;
                }
            }
        });
        let a = scope.spawn(|| {
            (0..TRANSFERS)
                .filter(|_| bank.transfer(0, 1, 1).is_ok())
                .count()
        });
        let b = scope.spawn(|| {
            (0..TRANSFERS)
                .filter(|_| bank.transfer(1, 0, 1).is_ok())
                .count()
        });
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        done.store(true, Ordering::Relaxed);
        println!("transfers that succeeded: A {a}, B {b}");
        watcher.join().unwrap()
    });

    let balances: Vec<u64> = (0..bank.len())
        .map(|id| bank.balance(id).unwrap())
        .collect();
    println!("accounts {balances:?}, total {}", bank.total());
    println!("every total() seen meanwhile: {totals_seen:?}");
    for (from, to, amount) in [(0, 0, 1), (0, 7, 1), (0, 1, TRANSFERS + 1)] {
        let call = format!("transfer({from}, {to}, {amount})");
        println!("{call:<21} = {:?}", bank.transfer(from, to, amount));
    }
}

/// Section 3: the same word count, sharing a lot or sharing little.
fn word_count() {
    let texts = lesson_texts();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    println!("== 3. word count: share as little as possible ==");
    println!("{} texts, {words} words, 2 threads", texts.len());

    let (shared, shared_time) = timed(|| shared_map_count(&texts, 2));
    let (merged, merged_time) = timed(|| merge_count(&texts, 2));
    println!("shared_map_count: {shared_time:.1?}  (one locked map, a lock per word)");
    println!("merge_count:      {merged_time:.1?}  (private maps, merged at the end)");
    println!("same counts: {}", shared == merged);

    let mut top: Vec<(&String, &usize)> = merged.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (word, count) in top.into_iter().take(5) {
        println!("{count:>6} {word}");
    }
}

/// 200 texts made of the lesson's sentences, so the counts are the same on every run.
fn lesson_texts() -> Vec<String> {
    let sentences = [
        "a thread shares the memory of its process",
        "a lock makes the read and the write one step",
        "take the locks in a fixed order and no thread waits forever",
        "share as little as possible and merge at the end",
    ];
    (0..200)
        .map(|i| {
            (0..50)
                .map(|j| sentences[(i + j) % sentences.len()])
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

/// Runs `f` and returns its result with how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let result = f();
    (result, start.elapsed())
}
