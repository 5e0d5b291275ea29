//! Hidden tests of `spawn_named` (src/spawn.rs): behaviour, not only values.

use std::collections::HashSet;
use std::thread;

use thread_basics::spawn_named;

#[test]
fn each_thread_reports_its_own_id() {
    threadlings_harness::graded(|| {
        let caller = thread::current().id();
        let names = ["a", "b", "c", "d", "e"];
        let infos = spawn_named(&names);
        assert_eq!(
            infos.len(),
            names.len(),
            "expected one ThreadInfo per name, got {infos:?}"
        );
        for info in &infos {
            assert_ne!(
                info.id, caller,
                "thread {:?} reported the id of the thread that called spawn_named: was \
                 thread::current() read in the caller instead of inside the new thread?",
                info.name
            );
        }
        let distinct: HashSet<_> = infos.iter().map(|i| i.id).collect();
        assert_eq!(
            distinct.len(),
            infos.len(),
            "5 threads reported only {} distinct ids ({infos:?}): every thread has its own id, \
             so each must read thread::current().id() itself",
            distinct.len()
        );
    });
}

#[test]
fn results_follow_names_order() {
    threadlings_harness::graded(|| {
        let owned: Vec<String> = (0..48).map(|i| format!("worker-{i:02}")).collect();
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        for round in 0..5 {
            let infos = spawn_named(&names);
            assert_eq!(
                infos.len(),
                names.len(),
                "round {round}: {} names gave {} ThreadInfo values",
                names.len(),
                infos.len()
            );
            for (position, (info, &name)) in infos.iter().zip(&names).enumerate() {
                let Some(reported) = info.name.as_deref() else {
                    panic!(
                        "round {round}: result {position} has no name (expected {name:?}): was \
                         the thread built with Builder::name, and did it read \
                         thread::current().name() inside itself?"
                    );
                };
                assert_eq!(
                    reported, name,
                    "round {round}: result {position} came from thread {reported:?}, expected \
                     {name:?}: results must come back in the order of `names`, not in the order \
                     the threads finished; keep the JoinHandles in a Vec and join them in order"
                );
            }
        }
    });
}

#[test]
fn spawn_named_with_no_names() {
    threadlings_harness::graded(|| {
        let infos = spawn_named(&[]);
        assert!(
            infos.is_empty(),
            "spawn_named(&[]) must return an empty Vec, got {infos:?}"
        );
    });
}

#[test]
fn repeated_and_unusual_names() {
    threadlings_harness::graded(|| {
        let long = "a-thread-name-much-longer-than-fifteen-bytes";
        let names = ["worker", "worker", "线程-1", long, "worker"];
        let infos = spawn_named(&names);
        let reported: Vec<Option<&str>> = infos.iter().map(|i| i.name.as_deref()).collect();
        let expected: Vec<Option<&str>> = names.iter().map(|&n| Some(n)).collect();
        assert_eq!(
            reported, expected,
            "names may repeat, be non-ASCII or long: each name still gets its own thread, and \
             thread::current().name() inside it returns the full name"
        );
    });
}
