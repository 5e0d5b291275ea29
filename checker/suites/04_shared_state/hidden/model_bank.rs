#![cfg(feature = "model-check")]
//! Model-checking tier of topic 04: small scenarios run under the model checker
//! shuttle, which replaces `crate::sync`'s locks and explores many thread
//! interleavings (with fixed seeds, so every run explores the same ones).
//!
//! The checker's lock rule (checker/lock_rule/clippy.toml) makes sure bank.rs and
//! counter.rs lock only with `crate::sync`: a test whose file names another lock
//! fails before it runs.
//!
//! A failure prints the failing schedule and the command that replays it; with
//! `THREADLINGS_REPLAY` set (by `cargo xtask check ... --replay '<schedule>'`)
//! a test replays that one schedule instead of searching.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use shared_state::{Bank, LockedCounter, SharedCounter, TransferError};
use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler};
use shuttle::sync::Arc;
use shuttle::{Config, FailurePersistence, MaxSteps, Runner, thread};

/// The topic, for the replay command.
const TOPIC: &str = "04_shared_state";
/// Fixed seed of the schedulers: every run explores the same schedules.
const SEED: u64 = 0x0404_5EED;
/// Schedules explored by each of the two schedulers.
const ITERATIONS: usize = 1_000;

// ---------------------------------------------------------------------------
// The scenarios. Each runs inside shuttle, on shuttle's threads and locks.
// ---------------------------------------------------------------------------

/// Opposite transfers between two accounts, with a total taken meanwhile.
fn opposite_transfers() {
    let bank = Arc::new(Bank::new(&[5, 5]));
    let a = {
        let bank = Arc::clone(&bank);
        spawn("transfer(0, 1, 2)", move || bank.transfer(0, 1, 2))
    };
    let b = {
        let bank = Arc::clone(&bank);
        spawn("transfer(1, 0, 3)", move || bank.transfer(1, 0, 3))
    };
    // The value is checked by the snapshot scenario; here only the locking matters.
    let _ = bank.total();
    assert_eq!(a.join().unwrap(), Ok(()), "transfer(0, 1, 2) on [5, 5]");
    assert_eq!(b.join().unwrap(), Ok(()), "transfer(1, 0, 3) on [5, 5]");
    assert_eq!(
        (bank.balance(0), bank.balance(1)),
        (Some(6), Some(4)),
        "balances after transfer(0, 1, 2) and transfer(1, 0, 3) on [5, 5]"
    );
}

/// Transfers (all towards higher ids) while another thread takes totals.
fn total_during_transfers() {
    let bank = Arc::new(Bank::new(&[4, 4, 4]));
    let payer = {
        let bank = Arc::clone(&bank);
        spawn("payer", move || {
            bank.transfer(0, 2, 3).unwrap();
            bank.transfer(1, 2, 1).unwrap();
        })
    };
    let watcher = {
        let bank = Arc::clone(&bank);
        spawn("watcher", move || [bank.total(), bank.total()])
    };
    let totals = watcher.join().unwrap();
    payer.join().unwrap();
    assert_eq!(
        totals,
        [12, 12],
        "total() of [4, 4, 4] while transfer(0, 2, 3) and transfer(1, 2, 1) ran"
    );
    assert_eq!(bank.total(), 12, "total() after the transfers");
}

/// Two transfers out of the same account that can only afford one of them.
fn competing_withdrawals() {
    let bank = Arc::new(Bank::new(&[5, 0, 0]));
    let spawn_transfer = |to: usize| {
        let bank = Arc::clone(&bank);
        spawn(&format!("transfer(0, {to}, 3)"), move || {
            bank.transfer(0, to, 3)
        })
    };
    let (a, b) = (spawn_transfer(1), spawn_transfer(2));
    let results = [a.join().unwrap(), b.join().unwrap()];
    let succeeded = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        succeeded, 1,
        "account 0 holds 5 and two threads each transfer 3 out of it: exactly one may \
         succeed, but the results were {results:?}"
    );
    assert!(
        results.contains(&Err(TransferError::InsufficientFunds {
            needed: 3,
            available: 2
        })),
        "the transfer that lost the race should see the 2 left after the other: {results:?}"
    );
    let balances: Vec<_> = (0..3).map(|id| bank.balance(id).unwrap()).collect();
    assert_eq!(
        balances.iter().sum::<u64>(),
        5,
        "money was created or lost: {balances:?}"
    );
}

/// Three threads add to one locked counter.
fn locked_counter_adds() {
    let counter = Arc::new(LockedCounter::new());
    let adders: Vec<_> = (1..=3)
        .map(|n| {
            let counter = Arc::clone(&counter);
            spawn(&format!("adder of {n}"), move || {
                counter.add(n);
                counter.add(n);
            })
        })
        .collect();
    for adder in adders {
        adder.join().unwrap();
    }
    assert_eq!(
        counter.get(),
        12,
        "3 threads called add(1), add(2), add(3) twice each on one LockedCounter"
    );
}

/// Spawns a shuttle thread whose name shows up in a deadlock report.
fn spawn<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .expect("shuttle spawns threads")
}

// ---------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------

#[test]
fn model_bank_takes_its_locks_from_crate_sync() {
    threadlings_harness::graded(|| {
        // Where the locks come from is the checker's lock rule: it fails this test
        // before it runs when bank.rs names another lock (see the manifest's
        // model_files). Here: the bank runs under the model checker, on one thread.
        shuttle::check_dfs(
            || {
                let bank = Bank::new(&[3, 4]);
                assert_eq!(
                    bank.transfer(0, 1, 3),
                    Ok(()),
                    "transfer(0, 1, 3) on [3, 4]"
                );
                assert_eq!(bank.total(), 7, "total() of [0, 7]");
            },
            None,
        );
    });
}

#[test]
fn model_counter_takes_its_locks_from_crate_sync() {
    threadlings_harness::graded(|| {
        // Where the locks come from is the checker's lock rule: it fails this test
        // before it runs when counter.rs names another lock (see the manifest's
        // model_files). Here: the locked counter runs under the model checker.
        shuttle::check_dfs(
            || {
                let counter = LockedCounter::new();
                counter.add(2);
                assert_eq!(counter.get(), 2, "LockedCounter: get() after add(2)");
            },
            None,
        );
    });
}

#[test]
fn model_opposite_transfers_never_deadlock() {
    threadlings_harness::graded(|| {
        explore(
            "model_opposite_transfers_never_deadlock",
            "Bank::new(&[5, 5]); transfer(0, 1, 2) and transfer(1, 0, 3) on two threads while \
             the main thread calls total()",
            "a deadlock (死锁) here means two of them took the same two locks in different \
             orders; lock the lower account id first, in transfer and in total alike",
            opposite_transfers,
        );
    });
}

#[test]
fn model_total_is_a_consistent_snapshot() {
    threadlings_harness::graded(|| {
        explore(
            "model_total_is_a_consistent_snapshot",
            "Bank::new(&[4, 4, 4]); one thread runs transfer(0, 2, 3) then transfer(1, 2, 1), \
             another calls total() twice; every total must be 12",
            "total() must see each transfer entirely or not at all: hold every account's lock \
             at the same time, instead of locking them one after another",
            total_during_transfers,
        );
    });
}

#[test]
fn model_competing_withdrawals_never_overdraw() {
    threadlings_harness::graded(|| {
        explore(
            "model_competing_withdrawals_never_overdraw",
            "Bank::new(&[5, 0, 0]); transfer(0, 1, 3) and transfer(0, 2, 3) on two threads: \
             only one can be afforded",
            "check the balance and move the money under the same lock guards; checking first \
             and locking again to move lets the other transfer in between",
            competing_withdrawals,
        );
    });
}

#[test]
fn model_locked_counter_loses_no_update() {
    threadlings_harness::graded(|| {
        explore(
            "model_locked_counter_loses_no_update",
            "3 threads call add(1), add(2), add(3) twice each on one LockedCounter; get() must \
             then be 12",
            "add must read and write the value under one lock guard; locking once to read and \
             again to write lets another add slip in between (a lost update)",
            locked_counter_adds,
        );
    });
}

// ---------------------------------------------------------------------------
// Running a scenario under shuttle.
// ---------------------------------------------------------------------------

/// Serialises the model runs of one process: shuttle's panic hook is global.
static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Where shuttle writes failing schedules (the same for the whole process, since
/// shuttle installs its panic hook with the first configuration it is given).
fn schedule_dir() -> PathBuf {
    std::env::temp_dir().join(format!("threadlings-04-schedules-{}", std::process::id()))
}

fn config() -> Config {
    let mut config = Config::new();
    config.failure_persistence = FailurePersistence::File(Some(schedule_dir()));
    // The scenarios take a few dozen steps; a spinning lock is stopped quickly.
    config.max_steps = MaxSteps::FailAfter(20_000);
    config.silence_warnings = true;
    config
}

/// Explores `scenario` (PCT, then random scheduling, both seeded), or replays
/// the schedule in `THREADLINGS_REPLAY`. Fails with `what` the scenario does,
/// the `likely_cause`, the failing schedule and the command that replays it.
fn explore(test: &str, what: &str, likely_cause: &str, scenario: fn()) {
    let _serial = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = schedule_dir();
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::create_dir_all(&dir);

    let replay = std::env::var("THREADLINGS_REPLAY")
        .ok()
        .map(|s| s.split_whitespace().collect::<String>())
        .map(|s| s.trim_matches(|c| c == '\'' || c == '"').to_string())
        .filter(|s| !s.is_empty());
    let result = panic::catch_unwind(AssertUnwindSafe(|| match &replay {
        Some(schedule) => {
            let scheduler = ReplayScheduler::new_from_encoded(schedule);
            Runner::new(scheduler, config()).run(scenario);
        }
        None => {
            let pct = PctScheduler::new_from_seed(SEED, 3, ITERATIONS);
            Runner::new(pct, config()).run(scenario);
            let random = RandomScheduler::new_from_seed(SEED, ITERATIONS);
            Runner::new(random, config()).run(scenario);
        }
    }));
    let schedule = recorded_schedule(&dir);
    let _ = fs::remove_dir_all(&dir);

    let Err(payload) = result else { return };
    let failure = threadlings_harness::payload_text(payload.as_ref());
    if failure.starts_with("not yet implemented") {
        // Let the harness report the todo!() as "not implemented yet".
        panic::resume_unwind(payload);
    }
    let schedule = replay.clone().or(schedule);
    let how = match &replay {
        Some(_) => "replaying the given schedule".to_string(),
        None => "exploring thread interleavings with the model checker".to_string(),
    };
    // Handed over with the panic below: the failing interleaving, as a picture.
    let _timeline = schedule
        .as_deref()
        .map(|s| threadlings_harness::model::schedule_timeline(scenario, s, config()));
    let _ = fs::remove_dir_all(&dir);
    match schedule {
        Some(schedule) => panic!(
            "{how} failed: {failure}\nthe scenario: {what}.\nlikely cause: {likely_cause}.\n\
             failing schedule: {schedule}\nreplay it with: cargo xtask check {TOPIC} --test \
             {test} --replay '{schedule}'"
        ),
        None => panic!(
            "{how} failed: {failure}\nthe scenario: {what}.\nlikely cause: {likely_cause}.\n\
             (the failing schedule could not be recorded; shuttle printed it above)"
        ),
    }
}

/// The schedule shuttle wrote for the failure, if any.
fn recorded_schedule(dir: &PathBuf) -> Option<String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let text = fs::read_to_string(files.first()?).ok()?;
    // Shuttle wraps a long schedule over several lines; the replay command
    // needs it in one piece.
    Some(text.split_whitespace().collect::<String>()).filter(|s| !s.is_empty())
}
