//! Hidden tests of src/shm.rs: no lost updates under real contention, and no
//! segment left in /dev/shm on any path.
//!
//! These tests count the entries of /dev/shm before and after, so the manifest
//! runs them one at a time (`exclusive_group = "shared-memory"`), and count
//! only the entries of their own user.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use ipc::{IpcError, shared_memory_count};
use threadlings_harness::timeline::Watch;

use super::pipe_basics::worker;
use super::pipe_stress::fake_worker;
use super::shm_basics::{assert_no_segment_left, segments};

#[test]
fn many_processes_never_lose_an_update() {
    threadlings_harness::graded(|| {
        const PROCESSES: usize = 4;
        const INCREMENTS: u64 = 10_000_000;
        let before = segments();
        let result = shared_memory_count(worker(), PROCESSES, INCREMENTS);
        let expected = PROCESSES as u64 * INCREMENTS;
        match result {
            Ok(total) => assert_eq!(
                total,
                expected,
                "{PROCESSES} processes x {INCREMENTS} increments gave {total}, not {expected}: \
                 {} updates were lost. Reading the counter and then storing the value plus one \
                 lets two processes read the same value; shm_add needs one indivisible \
                 fetch_add on the AtomicU64",
                expected.saturating_sub(total)
            ),
            Err(error) => {
                panic!("shared_memory_count(worker, {PROCESSES}, {INCREMENTS}) failed: {error}")
            }
        }
        assert_no_segment_left(&before, "shared_memory_count");
    });
}

#[test]
fn children_run_at_the_same_time() {
    threadlings_harness::graded(|| {
        const PROCESSES: usize = 4;
        const NAP: Duration = Duration::from_secs(1);
        let dir = tempfile::tempdir().expect("the test could not make a temporary directory");
        // A worker that naps for a second, then does the real work. It notes when it
        // starts and ends (with its process id) in a log the test reads afterwards.
        let log = dir.path().join("events.log");
        let slow = fake_worker(
            dir.path(),
            "slow_worker",
            &format!(
                "echo \"Started $$\" >> '{log}'\n\
                 /bin/sleep 1\n\
                 '{worker}' \"$@\"\n\
                 status=$?\n\
                 echo \"Exited $$\" >> '{log}'\n\
                 exit $status",
                log = log.display(),
                worker = worker().display(),
            ),
        );
        let before = segments();
        let start = Instant::now();
        let result = shared_memory_count(&slow, PROCESSES, 1_000);
        let elapsed = start.elapsed();
        match result {
            Ok(total) => assert_eq!(
                total,
                4_000,
                "4 slow workers x 1000 increments gave {total}, not 4000: {} updates were lost. \
                 Is shm_add's increment one indivisible fetch_add?",
                4_000_u64.saturating_sub(total)
            ),
            Err(error) => panic!("shared_memory_count with slow workers failed: {error}"),
        }
        // If the check fails, the picture shows each child's start and end, the first
        // child started only after another had exited highlighted.
        let mut timeline = children_timeline(&log);
        assert!(
            elapsed < NAP * 3,
            "{PROCESSES} workers that each take about {NAP:?} took {elapsed:?} in all: were they \
             run one after the other? Start every child before waiting for any of them"
        );
        timeline.done();
        assert_no_segment_left(&before, "shared_memory_count with slow workers");
    });
}

/// A timeline of the slow workers' log (lines `Started <pid>` and `Exited <pid>`,
/// in the order they happened), one lane per child process, ending with
/// `shared_memory_count` returning. The first child that started after another
/// child had exited is marked, with that exit. The log is read back capped: the
/// children could have written anything to it, and it is only a picture.
fn children_timeline(log: &Path) -> Watch {
    let mut text = String::new();
    if let Ok(file) = File::open(log) {
        // A log cut short or not UTF-8 just draws fewer events.
        let _ = file.take(64 * 1024).read_to_string(&mut text);
    }
    let mut timeline = Watch::new();
    let mut child_of: HashMap<&str, usize> = HashMap::new();
    let mut last_exit = None;
    let mut marked = false;
    let mut index = 0;
    for line in text.lines() {
        let Some((what, pid)) = line.split_once(' ') else {
            continue;
        };
        if what != "Started" && what != "Exited" {
            continue;
        }
        let next = child_of.len() + 1;
        let child = *child_of.entry(pid).or_insert(next);
        timeline.event(format!("child {child}"), format!("{what} child {child}"));
        if what == "Exited" {
            last_exit = Some(index);
        } else if let Some(exit) = last_exit.filter(|_| !marked) {
            timeline.at(index);
            timeline.also(exit);
            marked = true;
        }
        index += 1;
    }
    timeline.event("test", "shared_memory_count returned");
    if !marked {
        timeline.at(index);
    }
    timeline
}

#[test]
fn segment_is_removed_when_workers_fail() {
    threadlings_harness::graded(|| {
        let dir = tempfile::tempdir().expect("the test could not make a temporary directory");
        let failing = fake_worker(
            dir.path(),
            "failing_worker",
            "echo 'no luck today' >&2\nexit 7",
        );
        let killed = fake_worker(dir.path(), "killed_worker", "kill -9 $$");
        let before = segments();

        match shared_memory_count(&failing, 3, 10) {
            Err(IpcError::WorkerFailed { code, stderr }) => {
                assert_eq!(
                    code,
                    Some(7),
                    "the workers exited with code 7; WorkerFailed must carry that code"
                );
                assert!(
                    stderr.contains("no luck today"),
                    "the workers printed \"no luck today\" on stderr; WorkerFailed must carry \
                     it, got {stderr:?} (pipe each child's stderr and read it)"
                );
            }
            other => panic!(
                "workers that exit with code 7 must give IpcError::WorkerFailed {{ code: \
                 Some(7), .. }}, got {other:?}"
            ),
        }
        assert_no_segment_left(&before, "shared_memory_count with failing workers");

        match shared_memory_count(&killed, 2, 10) {
            Err(IpcError::WorkerFailed { code: None, .. }) => {}
            other => panic!(
                "workers killed by a signal must give IpcError::WorkerFailed {{ code: None, .. \
                 }} (ExitStatus::code() is None after a signal), got {other:?}"
            ),
        }
        assert_no_segment_left(&before, "shared_memory_count with killed workers");
    });
}

#[test]
fn segment_is_removed_when_the_worker_path_is_wrong() {
    threadlings_harness::graded(|| {
        let before = segments();
        let nowhere = Path::new("/nonexistent/threadlings/ipc_worker");
        let result = shared_memory_count(nowhere, 2, 10);
        assert!(
            result.is_err(),
            "shared_memory_count with the worker path {nowhere:?} (no such file) must return an \
             error, got {result:?}"
        );
        assert_no_segment_left(&before, "shared_memory_count with a wrong worker path");
    });
}
