//! Inter-process objects a test leaves behind: files in `/dev/shm` (POSIX shared
//! memory, semaphores) and System V shared memory, semaphores and message
//! queues. They outlive every process, so the runner removes them after each test.
//!
//! - **With a sandbox user** (the checker runs as root) the rule is exact: every
//!   such object owned or created by the test's user id is the test's, removed
//!   after its processes were killed (and before it starts, in case an earlier
//!   checker died mid-test).
//! - **Without** (every test runs as the checker's user), an object is removed
//!   only when all of these hold, checked after the test's process group is gone:
//!   it did not exist when the test started; it belongs to this user; and no live
//!   process uses it — for a `/dev/shm` file, no live process of this user maps
//!   it or holds it open; for a System V segment, nothing is attached and its
//!   creator and last user are dead (or zombies). Semaphores and message queues
//!   do not record their creator: one with no live last user is removed at once
//!   when no other test of this checker ran at any moment of this one's run, and
//!   otherwise as soon as no test of this checker runs at all (so a sibling's
//!   semaphore is never removed under it). A concurrently running sibling test's
//!   live object is therefore never removed; a `/dev/shm` file it made and left
//!   unused at that instant (created, not yet mapped) could be. Grading runs as
//!   root, where the rule is exact.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{SHARED_MEMORY_DIR, procs};

/// The three kinds of System V IPC object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Shared-memory segment (`shmget`).
    Shm,
    /// Semaphore set (`semget`).
    Sem,
    /// Message queue (`msgget`).
    Msg,
}

/// One System V IPC object, from `/proc/sysvipc/*`.
#[derive(Debug, Clone)]
pub struct SysvObject {
    /// Its kind.
    pub kind: Kind,
    /// Its id (for `IPC_RMID`).
    pub id: i32,
    /// Owner.
    pub uid: u32,
    /// Creator.
    pub cuid: u32,
    /// Processes recorded as using it: creator and last user (segments), last
    /// sender and receiver (queues); none for semaphores.
    pub pids: Vec<i32>,
    /// Processes attached (segments only).
    pub attached: u64,
}

/// Every System V IPC object of this IPC namespace.
pub fn sysv_objects() -> Vec<SysvObject> {
    let mut found = Vec::new();
    for (kind, file, id_column, pid_columns) in [
        (Kind::Shm, "shm", "shmid", &["cpid", "lpid"][..]),
        (Kind::Sem, "sem", "semid", &[][..]),
        (Kind::Msg, "msg", "msqid", &["lspid", "lrpid"][..]),
    ] {
        let Ok(text) = fs::read_to_string(Path::new("/proc/sysvipc").join(file)) else {
            continue;
        };
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let column = |name: &str| header.iter().position(|h| *h == name);
        let (Some(id), Some(uid), Some(cuid)) = (column(id_column), column("uid"), column("cuid"))
        else {
            continue;
        };
        let pid_indexes: Vec<usize> = pid_columns.iter().filter_map(|c| column(c)).collect();
        let attached = column("nattch");
        for line in lines {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let number = |i: usize| fields.get(i).and_then(|f| f.parse::<i64>().ok());
            let (Some(id), Some(uid), Some(cuid)) = (number(id), number(uid), number(cuid)) else {
                continue;
            };
            found.push(SysvObject {
                kind,
                id: id as i32,
                uid: uid as u32,
                cuid: cuid as u32,
                pids: pid_indexes
                    .iter()
                    .filter_map(|&i| number(i))
                    .map(|p| p as i32)
                    .collect(),
                attached: attached.and_then(number).unwrap_or(0) as u64,
            });
        }
    }
    found
}

/// Removes a System V IPC object (`IPC_RMID`); false when it could not.
pub fn remove_sysv(kind: Kind, id: i32) -> bool {
    // SAFETY: IPC_RMID takes no buffer (null is allowed); a stale id gives EINVAL.
    let result = unsafe {
        match kind {
            Kind::Shm => libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()),
            Kind::Sem => libc::semctl(id, 0, libc::IPC_RMID),
            Kind::Msg => libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()),
        }
    };
    result == 0
}

/// An entry of `/dev/shm`.
#[derive(Debug, Clone)]
struct ShmFile {
    name: OsString,
    inode: u64,
    uid: u32,
    is_dir: bool,
}

fn shm_files() -> Vec<ShmFile> {
    let Ok(entries) = fs::read_dir(SHARED_MEMORY_DIR) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let meta = fs::symlink_metadata(entry.path()).ok()?;
            Some(ShmFile {
                name: entry.file_name(),
                inode: meta.ino(),
                uid: meta.uid(),
                is_dir: meta.is_dir(),
            })
        })
        .collect()
}

fn remove_shm_file(file: &ShmFile) {
    let path = Path::new(SHARED_MEMORY_DIR).join(&file.name);
    let _ = if file.is_dir {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
}

/// Bytes of `/dev/shm` files owned by `uid` (they are memory: tmpfs).
pub(crate) fn shm_bytes_of_user(uid: u32) -> u64 {
    let Ok(entries) = fs::read_dir(SHARED_MEMORY_DIR) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| fs::symlink_metadata(e.path()).ok())
        .filter(|m| m.uid() == uid)
        .map(|m| m.blocks() * 512)
        .sum()
}

/// Removes every `/dev/shm` entry and System V object owned or created by `uid`.
pub fn remove_all_of_user(uid: u32) {
    for file in shm_files().iter().filter(|f| f.uid == uid) {
        remove_shm_file(file);
    }
    for object in sysv_objects()
        .iter()
        .filter(|o| o.uid == uid || o.cuid == uid)
    {
        remove_sysv(object.kind, object.id);
    }
}

/// How a test's objects are found after it: by its user id, or by difference.
pub(crate) enum Scope {
    /// The test's own user id owns exactly its objects.
    User(u32),
    /// The test runs as the checker's user: what existed before it.
    Diff {
        files: BTreeSet<(OsString, u64)>,
        objects: BTreeSet<(Kind, i32)>,
        window: Window,
    },
}

impl Scope {
    /// Before the test starts (as `user`, or as the checker's user).
    pub(crate) fn begin(user: Option<u32>) -> Scope {
        match user {
            Some(uid) => {
                // Left by a checker that died mid-test with this user id.
                remove_all_of_user(uid);
                Scope::User(uid)
            }
            None => Scope::Diff {
                files: shm_files().into_iter().map(|f| (f.name, f.inode)).collect(),
                objects: sysv_objects().into_iter().map(|o| (o.kind, o.id)).collect(),
                window: Window::open(),
            },
        }
    }

    /// After the test's processes were killed (`pgid` its process group).
    pub(crate) fn end(self, pgid: i32) {
        match self {
            Scope::User(uid) => remove_all_of_user(uid),
            Scope::Diff {
                files,
                objects,
                window,
            } => remove_new(&files, &objects, window.overlapped(), pgid),
        }
    }
}

/// The rule without a sandbox user (see the module documentation).
fn remove_new(
    files_before: &BTreeSet<(OsString, u64)>,
    objects_before: &BTreeSet<(Kind, i32)>,
    overlapped: bool,
    pgid: i32,
) {
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    let new_files: Vec<ShmFile> = shm_files()
        .into_iter()
        .filter(|f| f.uid == me && !files_before.contains(&(f.name.clone(), f.inode)))
        .collect();
    let new_objects: Vec<SysvObject> = sysv_objects()
        .into_iter()
        .filter(|o| (o.uid == me || o.cuid == me) && !objects_before.contains(&(o.kind, o.id)))
        .collect();
    if new_files.is_empty() && new_objects.is_empty() {
        return;
    }
    wait_until_group_gone(pgid, me);
    if !new_files.is_empty() {
        let in_use = shm_names_in_use(me);
        for file in new_files.iter().filter(|f| !in_use.contains(&f.name)) {
            remove_shm_file(file);
        }
    }
    for object in new_objects {
        if is_used(&object) {
            continue;
        }
        if object.kind == Kind::Shm || !overlapped {
            remove_sysv(object.kind, object.id);
        } else {
            // Maybe a running sibling's: removed when no test runs (see [`Window`]).
            DEFERRED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((object.kind, object.id));
        }
    }
}

/// Whether a live process is recorded as using a System V object.
fn is_used(object: &SysvObject) -> bool {
    object.attached > 0 || object.pids.iter().any(|&p| procs::is_live(p))
}

/// Semaphores and queues a test left while another test ran: removed (if still
/// there and unused) once no test of this checker runs.
static DEFERRED: Mutex<Vec<(Kind, i32)>> = Mutex::new(Vec::new());

fn remove_deferred() {
    let deferred = std::mem::take(&mut *DEFERRED.lock().unwrap_or_else(|e| e.into_inner()));
    if deferred.is_empty() {
        return;
    }
    for object in sysv_objects() {
        if deferred.contains(&(object.kind, object.id)) && !is_used(&object) {
            remove_sysv(object.kind, object.id);
        }
    }
}

/// Waits (at most a second) until no live process of `uid` is in group `pgid`.
fn wait_until_group_gone(pgid: i32, uid: u32) {
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline && group_has_live_member(pgid, uid) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn group_has_live_member(pgid: i32, uid: u32) -> bool {
    procs::owned_by(uid).into_iter().flatten().any(|p| {
        p.stat()
            .is_ok_and(|s| s.pgrp == pgid && !matches!(s.state, 'Z' | 'X'))
    })
}

/// Names of `/dev/shm` files that a live process of `uid` maps or holds open.
fn shm_names_in_use(uid: u32) -> BTreeSet<OsString> {
    let prefix = format!("{SHARED_MEMORY_DIR}/");
    let mut names = BTreeSet::new();
    let mut note = |target: &str| {
        if let Some(rest) = target.strip_prefix(&prefix) {
            let name = rest.strip_suffix(" (deleted)").unwrap_or(rest);
            names.insert(OsString::from(name));
        }
    };
    for process in procs::owned_by(uid).into_iter().flatten() {
        let dir = procs::dir(&process);
        if let Ok(maps) = fs::read_to_string(dir.join("maps")) {
            for line in maps.lines() {
                // The path is the sixth field and may contain spaces.
                if let Some(at) = line.find(&prefix) {
                    note(&line[at..]);
                }
            }
        }
        if let Ok(fds) = fs::read_dir(dir.join("fd")) {
            for fd in fds.flatten() {
                if let Ok(target) = fs::read_link(fd.path()) {
                    note(&target.to_string_lossy());
                }
            }
        }
    }
    names
}

/// Open test windows of this checker, to tell whether a test ran alone.
static OPEN_WINDOWS: Mutex<Vec<Arc<AtomicBool>>> = Mutex::new(Vec::new());

/// The time one test runs; knows whether another test ran at any moment of it.
pub(crate) struct Window(Arc<AtomicBool>);

impl Window {
    fn open() -> Window {
        let mut open = OPEN_WINDOWS.lock().unwrap_or_else(|e| e.into_inner());
        let mine = Arc::new(AtomicBool::new(!open.is_empty()));
        for other in open.iter() {
            other.store(true, Ordering::SeqCst);
        }
        open.push(mine.clone());
        Window(mine)
    }

    fn overlapped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let mut open = OPEN_WINDOWS.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|w| !Arc::ptr_eq(w, &self.0));
        if open.is_empty() {
            // No test runs now (and none starts while the lock is held).
            remove_deferred();
        }
    }
}
