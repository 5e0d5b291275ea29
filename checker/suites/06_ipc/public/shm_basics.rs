//! Public tests of src/shm.rs: a counter in shared memory, incremented by child processes.
//!
//! These tests look for segments left in /dev/shm: they count the entries owned
//! by the test's own user before and after. The checker runs each test as a user
//! of its own when it can; the manifest runs them one at a time all the same
//! (`exclusive_group = "shared-memory"`), beside tests that make no segment.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use ipc::{IpcError, shared_memory_count, shm_add};
use shared_memory::ShmemConf;

use super::pipe_basics::worker;

/// The names in /dev/shm, where Linux keeps shared-memory segments, of the
/// entries owned by this process's user: the segments its children make.
pub(crate) fn segments() -> BTreeSet<String> {
    let user = effective_user();
    match fs::read_dir("/dev/shm") {
        Ok(entries) => entries
            .flatten()
            .filter(|entry| entry.metadata().is_ok_and(|m| Some(m.uid()) == user))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// This process's effective user id, from the `Uid:` line of
/// /proc/self/status (real, effective, saved, filesystem).
fn effective_user() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let uids = status.lines().find_map(|line| line.strip_prefix("Uid:"))?;
    uids.split_whitespace().nth(1)?.parse().ok()
}

/// Fails if /dev/shm holds entries that were not there `before` (and removes them,
/// so that one leak does not spill into later tests).
pub(crate) fn assert_no_segment_left(before: &BTreeSet<String>, what: &str) {
    let left: Vec<String> = segments().difference(before).cloned().collect();
    for name in &left {
        let _ = fs::remove_file(Path::new("/dev/shm").join(name));
    }
    assert!(
        left.is_empty(),
        "{what} left shared-memory segments behind in /dev/shm: {left:?}. The Shmem that \
         created a segment removes it when it is dropped: keep it alive until every child \
         has been waited for, and let it drop on every path, errors included"
    );
}

#[test]
fn processes_add_up_and_leave_no_segment() {
    threadlings_harness::graded(|| {
        let before = segments();
        // (processes, increments, expected total)
        let cases = [(2, 10, 20), (0, 10, 10), (3, 0, 0)];
        for (processes, increments, expected) in cases {
            match shared_memory_count(worker(), processes, increments) {
                Ok(total) => {
                    // Fewer than expected with several processes is the race
                    // `many_processes_never_lose_an_update` looks for; say so,
                    // since 2 x 10 increments can collide too.
                    let lost = if processes > 1 && total < expected {
                        "; updates were lost, so shm_add's increment is not one indivisible \
                         fetch_add"
                    } else {
                        ""
                    };
                    assert_eq!(
                        total, expected,
                        "shared_memory_count(worker, {processes}, {increments}) returned {total}, \
                         expected {expected} (a process count of 0 counts as 1; every child adds \
                         `increments` to the one counter in the segment){lost}"
                    )
                }
                Err(error) => {
                    panic!("shared_memory_count(worker, {processes}, {increments}) failed: {error}")
                }
            }
        }
        assert_no_segment_left(&before, "shared_memory_count");
    });
}

#[test]
fn shm_add_increments_an_existing_segment() {
    threadlings_harness::graded(|| {
        let before = segments();
        {
            let segment = ShmemConf::new()
                .size(size_of::<AtomicU64>())
                .create()
                .expect("the test could not create a shared-memory segment");
            let counter = shm_counter::atomic_counter(&segment)
                .expect("the test's 8-byte segment holds a counter");
            counter.store(41, Ordering::SeqCst);
            for _ in 0..2 {
                if let Err(error) = shm_add(segment.get_os_id(), 500) {
                    panic!("shm_add({:?}, 500) failed: {error}", segment.get_os_id());
                }
            }
            assert_eq!(
                counter.load(Ordering::SeqCst),
                1_041,
                "the counter started at 41 and shm_add(os_id, 500) ran twice: shm_add must add \
                 to the AtomicU64 at the start of the segment, not overwrite it"
            );
        }

        let missing = format!("/threadlings_no_such_segment_{}", std::process::id());
        match shm_add(&missing, 1) {
            Err(IpcError::Shm(message)) => assert!(
                message.contains(missing.trim_start_matches('/')),
                "shm_add({missing:?}, 1) failed with IpcError::Shm({message:?}): the message \
                 should name the segment that could not be opened"
            ),
            Err(other) => panic!(
                "shm_add({missing:?}, 1) failed with {other:?}; a segment that cannot be opened \
                 is IpcError::Shm with a message naming it"
            ),
            Ok(()) => panic!("shm_add({missing:?}, 1) succeeded, but no such segment exists"),
        }
        assert_no_segment_left(&before, "shm_add (or the test's own segment)");
    });
}
