//! The real record: threads that really deadlock, or really wait forever on a
//! condition variable, are named with the lines of this file. The stuck
//! threads are left behind; the test process ends with the tests.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use threadlings_waitgraph::{Activity, Condvar, Mutex, Snapshot, ThreadView, diagnose};

fn unknown(_: &ThreadView) -> Activity {
    Activity::Unknown
}

/// Snapshots until `found` holds (at most 20 s), then returns the diagnosis.
fn diagnosis_when(found: impl Fn(&[String]) -> bool) -> (Vec<String>, Snapshot) {
    let start = Instant::now();
    loop {
        let snapshot = threadlings_waitgraph::snapshot();
        let said = diagnose(&snapshot, &unknown, false);
        if found(&said) || start.elapsed() > Duration::from_secs(20) {
            return (said, snapshot);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn opposite_lock_orders_are_named_with_threads_locks_and_lines() {
    let first = Arc::new(Mutex::new(0));
    let second = Arc::new(Mutex::new(0));
    let both_hold_one = Arc::new(Barrier::new(2));
    for (name, a, b) in [
        ("forward", Arc::clone(&first), Arc::clone(&second)),
        ("backward", Arc::clone(&second), Arc::clone(&first)),
    ] {
        let both_hold_one = Arc::clone(&both_hold_one);
        thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let _held = a.lock().unwrap();
                both_hold_one.wait();
                let _never = b.lock().unwrap();
            })
            .expect("spawn");
    }
    let (said, snapshot) = diagnosis_when(|said| said.iter().any(|s| s.contains("deadlock")));
    let deadlock = said
        .iter()
        .find(|s| s.starts_with("lock-order deadlock"))
        .unwrap_or_else(|| panic!("no deadlock named in {said:?} from {snapshot:#?}"));
    let here = file!();
    for expected in [
        "thread `forward`".to_owned(),
        "thread `backward`".to_owned(),
        format!("(taken at {here}:41)"),
        format!("(at {here}:43)"),
    ] {
        assert!(deadlock.contains(&expected), "{expected} in {deadlock}");
    }
}

#[test]
fn a_condvar_wait_without_notify_is_a_lost_wakeup() {
    let state = Arc::new((Mutex::new(false), Condvar::new()));
    {
        let state = Arc::clone(&state);
        thread::Builder::new()
            .name("sleeper".into())
            .spawn(move || {
                let (ready, changed) = &*state;
                let mut ready = ready.lock().unwrap();
                while !*ready {
                    ready = changed.wait(ready).unwrap();
                }
            })
            .expect("spawn");
    }
    // (The other test's deadlocked threads, in this process too, cannot notify either.)
    let sleeper = |s: &String| s.starts_with("lost wakeup: thread `sleeper` has waited up to");
    let (said, snapshot) = diagnosis_when(|said| said.iter().any(sleeper));
    let lost = said
        .iter()
        .find(|s| sleeper(s))
        .unwrap_or_else(|| panic!("no lost wakeup named in {said:?} from {snapshot:#?}"));
    let here = file!();
    assert!(lost.contains(&format!("at {here}:74,")), "{lost}");
    // The observer (this thread) holds nothing; the lock is free again.
    let (ready, _) = &*state;
    assert!(!*ready.try_lock().expect("free while the sleeper waits"));
}
