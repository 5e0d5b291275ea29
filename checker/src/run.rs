//! Step 3, run: one test in its own process and process group, with a time
//! limit, a clean environment, stdin closed, output captured and capped, and
//! resource limits, confined by [`crate::confine`] (Landlock, no_new_privs, the
//! report socket, removal of what it leaves). Whatever happens, the whole
//! process group is killed after.
//!
//! When the checker runs as root (CI, containers), each test process also runs
//! as its own unprivileged user id (one per concurrent slot): RLIMIT_NPROC then
//! bounds its processes and threads, the suite's files (owned by root) cannot be
//! rewritten, the test sources cannot be read, and every process of that user id
//! is killed after the test, even one that left the process group with `setsid`.
//! See SECURITY.md for the whole threat model.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use threadlings_protocol::env;

use crate::confine::{Confinement, Policy};

/// Output kept per stream; the rest is read and counted, not stored.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// Largest file a test process may write (RLIMIT_FSIZE).
pub const FILE_SIZE_LIMIT: u64 = 64 * 1024 * 1024;
/// Output (both streams together) after which the test is killed.
pub const OUTPUT_KILL_LIMIT: u64 = 16 * 1024 * 1024;
/// Processes and threads a test may have at once (RLIMIT_NPROC, counted per user id).
pub const TASK_LIMIT: u64 = 512;
/// Writable private memory a test process may map (RLIMIT_DATA; not RLIMIT_AS,
/// which counts every thread's reserved address space and breaks threaded code).
pub const DATA_LIMIT: u64 = 4 * 1024 * 1024 * 1024;
/// Memory of the whole test above which the runner kills it: the private
/// resident memory of every process of the test, plus (with a sandbox user) its
/// `/dev/shm` files.
pub const RSS_LIMIT: u64 = 1536 * 1024 * 1024;
/// First user id of the unprivileged sandbox users (when the checker runs as root);
/// a checker process uses the ring of 4096 ids from this plus 4096 × (its pid mod 2¹⁸).
pub const SANDBOX_UID_BASE: u32 = 2_000_000_000;

/// Everything needed to run one test once.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The libtest binary.
    pub binary: PathBuf,
    /// The exact test name.
    pub test: String,
    /// Working directory (the sandbox crate).
    pub cwd: PathBuf,
    /// Time limit.
    pub timeout: Duration,
    /// Extra environment on top of the clean base (a check passes its
    /// [`threadlings_protocol::TestEnv::vars`]).
    pub env: Vec<(String, String)>,
    /// What the test may read, execute and write (see [`crate::confine`]).
    pub policy: Policy,
}

/// How the process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Exited by itself with this code.
    Exited(i32),
    /// Killed by this signal (abort, segfault, …).
    Signaled(i32),
    /// Still running at the time limit; its group was killed.
    TimedOut,
    /// Killed by the runner for going over a limit (output, memory, processes).
    Killed(String),
}

/// What one run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// How the process ended.
    pub ending: Ending,
    /// Wall time until it ended or was killed.
    pub elapsed: Duration,
    /// Captured stdout (capped at [`OUTPUT_CAP`]).
    pub stdout: String,
    /// Captured stderr (capped at [`OUTPUT_CAP`]).
    pub stderr: String,
    /// Bytes of output dropped by the cap, both streams.
    pub dropped_bytes: u64,
    /// Processes the test left running after it ended (they were killed).
    pub left_running: bool,
    /// What the harness wrote on the report socket (capped at
    /// [`crate::confine::REPORT_CAP`]): JSON lines, judged by [`crate::judge`].
    pub report: String,
    /// Every thread of the test's process group when it ran out of time (empty
    /// unless it timed out): the names and waits that explain a hang.
    pub at_time_limit: Vec<crate::confine::procs::ThreadState>,
}

/// Runs one test process to completion or to its time limit.
pub fn run_test(request: &RunRequest) -> Result<RunOutput> {
    // Serial tests hold the exclusive lock already (see [`exclusive`]); others share it.
    let _shared = (!HOLDS_EXCLUSIVE.with(Cell::get)).then(shared);
    let _slot = Slot::acquire();
    let sandbox_user = sandbox_user(&request.cwd);
    let user = sandbox_user.as_ref().map(|u| u.0);

    let mut cmd = Command::new(&request.binary);
    cmd.args([request.test.as_str(), "--exact", "--test-threads=1"])
        .current_dir(&request.cwd)
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("LANG", "C.UTF-8")
        .env("RUST_BACKTRACE", "0")
        // insta never writes or waives a snapshot unless the check says so (bless).
        .env(env::INSTA_UPDATE, "no")
        .env(env::INSTA_FORCE_PASS, "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in &request.env {
        cmd.env(key, value);
    }
    let task_limit = match user {
        Some(uid) => {
            limits::hide_test_sources(&request.cwd);
            cmd.uid(uid).gid(uid);
            TASK_LIMIT
        }
        None => limits::tasks_of_current_user().saturating_add(TASK_LIMIT),
    };
    limits::apply(&mut cmd, task_limit);
    let mut confinement = Confinement::prepare(&request.policy, &request.binary, user)?;
    // Last: the user id and limits are set before the Landlock domain is entered.
    confinement.apply(&mut cmd);

    let started = Instant::now();
    let spawned = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", request.binary.display()));
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            confinement.clean_up(0);
            return Err(e);
        }
    };
    let pgid = child.id() as i32;
    let _running = RunningTest::register(pgid, user);
    let report = confinement.started();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().context("test stdout")?;
    let stderr = child.stderr.take().context("test stderr")?;
    let output_bytes = Arc::new(AtomicU64::new(0));
    spawn_reader(stdout, 0, tx.clone(), output_bytes.clone());
    spawn_reader(stderr, 1, tx, output_bytes.clone());

    let watch = Watch {
        pgid,
        user,
        output_bytes,
    };
    let status = wait_with_deadline(&mut child, request.timeout, &watch);
    let elapsed = started.elapsed();
    // Who waits on what, read before the group is killed: it explains a hang.
    let at_time_limit = match status {
        Ok(Waited::TimedOut) => threads_at_time_limit(pgid),
        _ => Vec::new(),
    };
    // The test process itself has been reaped: whatever is still in its group, or
    // still runs as its user id, was left behind by the code under test.
    let left_running = matches!(status, Ok(Waited::Exited(_)))
        && (limits::group_alive(pgid)
            || user.is_some_and(|uid| limits::processes_of_user(uid) > 0));
    // Kill what the test left behind: threads' children, grandchildren, anything in the group,
    // and (as another user id) anything of that user id that left the group.
    limits::kill_group(pgid);
    if let Some(uid) = user {
        limits::kill_user(uid);
    }
    let _ = child.wait();

    // Readers end once every writer is gone; a process that escaped the group could keep
    // a pipe open, so wait only briefly.
    let mut streams = [String::new(), String::new()];
    let mut dropped_bytes = 0;
    let reader_deadline = Instant::now() + Duration::from_secs(2);
    for _ in 0..2 {
        let left = reader_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, text, dropped)) => {
                streams[index] = text;
                dropped_bytes += dropped;
            }
            Err(_) => break,
        }
    }
    let report = match report {
        Ok(reader) => reader.finish(reader_deadline),
        Err(_) => String::new(),
    };
    confinement.clean_up(pgid);
    let [stdout, stderr] = streams;
    let ending = match status? {
        Waited::TimedOut => Ending::TimedOut,
        Waited::Killed(reason) => Ending::Killed(reason),
        Waited::Exited(status) => ending_of(status),
    };
    Ok(RunOutput {
        ending,
        elapsed,
        stdout,
        stderr,
        dropped_bytes,
        left_running,
        report,
        at_time_limit,
    })
}

/// Test processes running now, as (process group, sandbox user id), so that an
/// interrupted checker can kill them on its way out ([`kill_running_tests`]).
static RUNNING: Mutex<Vec<(i32, Option<u32>)>> = Mutex::new(Vec::new());

/// A registered running test; unregistered when dropped.
struct RunningTest(i32);

impl RunningTest {
    fn register(pgid: i32, user: Option<u32>) -> RunningTest {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((pgid, user));
        RunningTest(pgid)
    }
}

impl Drop for RunningTest {
    fn drop(&mut self) {
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|&(pgid, _)| pgid != self.0);
    }
}

/// Every thread of group `pgid` and what it waits in, read twice 100 ms apart:
/// a thread seen running in one reading only (a loop that polls and sleeps, like
/// a harness waiting for a child) is shown where it waited, so only a thread
/// running in both readings is taken for a busy loop.
fn threads_at_time_limit(pgid: i32) -> Vec<crate::confine::procs::ThreadState> {
    let first = crate::confine::procs::threads_of_group(pgid);
    std::thread::sleep(Duration::from_millis(100));
    let mut second = crate::confine::procs::threads_of_group(pgid);
    for thread in &mut second {
        if thread.state != 'R' {
            continue;
        }
        if let Some(waiting) = first
            .iter()
            .find(|earlier| earlier.tid == thread.tid && earlier.state != 'R')
        {
            *thread = waiting.clone();
        }
    }
    if second.is_empty() { first } else { second }
}

/// Whether a thread of a test process this checker runs is on a CPU or ready
/// to run now (state `R`, read from `/proc`): tests that only wait (a hang in a
/// lock, a join or a sleep) show none. For scheduling only, never a verdict.
pub fn tests_on_cpu() -> bool {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).clone();
    running.into_iter().any(|(pgid, _)| {
        crate::confine::procs::threads_of_group(pgid)
            .iter()
            .any(|thread| thread.state == 'R')
    })
}

/// Kills every test process this checker started and that still runs, with
/// whatever it spawned. For an interrupt (Ctrl-C) handler: the tests run in
/// their own process groups, so the terminal's signal does not reach them.
pub fn kill_running_tests() {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for (pgid, user) in running {
        limits::kill_group(pgid);
        if let Some(uid) = user {
            limits::kill_user(uid);
        }
    }
}

thread_local! {
    static HOLDS_EXCLUSIVE: Cell<bool> = const { Cell::new(false) };
}

/// Tests and builds share this lock; a serial test takes it alone.
static EXCLUSIVE: RwLock<()> = RwLock::new(());

/// Held while a serial (timing or performance) test runs: no other test process
/// and no build of this checker runs meanwhile, whichever submission it belongs to.
pub struct ExclusiveGuard {
    _guard: RwLockWriteGuard<'static, ()>,
}

impl Drop for ExclusiveGuard {
    fn drop(&mut self) {
        HOLDS_EXCLUSIVE.with(|h| h.set(false));
    }
}

/// Waits until nothing else runs, then keeps it so until the guard is dropped.
pub fn exclusive() -> ExclusiveGuard {
    let guard = EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner());
    HOLDS_EXCLUSIVE.with(|h| h.set(true));
    ExclusiveGuard { _guard: guard }
}

/// Shared access: held by every non-serial test run and by every build.
pub fn shared() -> RwLockReadGuard<'static, ()> {
    EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner())
}

/// The exclusive groups a running test holds (see [`exclusive_in_group`]).
static GROUPS_HELD: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
static GROUP_FREED: Condvar = Condvar::new();

/// Held while a test of an exclusive group runs (see [`exclusive_in_group`]).
pub struct GroupGuard {
    group: String,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        let mut held = GROUPS_HELD.lock().unwrap_or_else(|e| e.into_inner());
        held.remove(&self.group);
        GROUP_FREED.notify_all();
    }
}

/// Waits until no other test of `group` runs in this checker process (any
/// topic, any submission), then keeps it so until the guard is dropped. Tests
/// of other groups and of none run beside it. Take it before [`run_test`]: a
/// test waiting for its group holds no slot and no share of [`exclusive`].
pub fn exclusive_in_group(group: &str) -> GroupGuard {
    let mut held = GROUPS_HELD.lock().unwrap_or_else(|e| e.into_inner());
    while held.contains(group) {
        held = GROUP_FREED.wait(held).unwrap_or_else(|e| e.into_inner());
    }
    held.insert(group.to_owned());
    GroupGuard {
        group: group.to_owned(),
    }
}

/// How many test processes may run at once in this checker process (each gets
/// its own slot, hence its own user id when running as root).
static SLOTS: Mutex<Vec<bool>> = Mutex::new(Vec::new());
static SLOT_FREED: Condvar = Condvar::new();
static SLOT_COUNT: AtomicU64 = AtomicU64::new(64);

/// Caps the number of test processes running at once across every check in this process.
pub fn set_max_concurrent_tests(n: usize) {
    SLOT_COUNT.store(n.clamp(1, 256) as u64, Ordering::SeqCst);
}

struct Slot(usize);

impl Slot {
    fn acquire() -> Slot {
        let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let count = SLOT_COUNT.load(Ordering::SeqCst) as usize;
            if slots.len() < count {
                slots.resize(count, false);
            }
            if let Some(i) = (0..count).find(|&i| !slots[i]) {
                slots[i] = true;
                return Slot(i);
            }
            slots = SLOT_FREED.wait(slots).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut slots = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(busy) = slots.get_mut(self.0) {
            *busy = false;
        }
        SLOT_FREED.notify_all();
    }
}

/// User ids currently given to a running test of this checker process.
static USERS_IN_USE: Mutex<Vec<u32>> = Mutex::new(Vec::new());
/// The next candidate in this process's ring of user ids.
static NEXT_USER: AtomicU64 = AtomicU64::new(0);
/// User ids in each checker process's ring.
const USER_RING: u32 = 4096;

/// A sandbox user id given to one test run; given back when dropped.
struct SandboxUser(u32);

impl Drop for SandboxUser {
    fn drop(&mut self) {
        let mut in_use = USERS_IN_USE.lock().unwrap_or_else(|e| e.into_inner());
        in_use.retain(|&u| u != self.0);
    }
}

/// The unprivileged user id a test runs as: only when the checker is root, the
/// working directory is reachable by others, and `THREADLINGS_SANDBOX_USER` is not `0`.
///
/// Each run takes a user id that no running test holds and that owns no process
/// (not even a zombie not yet reaped, which RLIMIT_NPROC would still count), from
/// a ring of [`USER_RING`] ids of this checker process (disjoint from other
/// checker processes': the ring is chosen by pid).
fn sandbox_user(cwd: &Path) -> Option<SandboxUser> {
    if !sandbox_users_enabled() || !limits::reachable_by_others(cwd) {
        return None;
    }
    let ring_start = SANDBOX_UID_BASE + (std::process::id() & 0x3_ffff) * USER_RING;
    let mut in_use = USERS_IN_USE.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..USER_RING {
        let n = NEXT_USER.fetch_add(1, Ordering::SeqCst) as u32 % USER_RING;
        let uid = ring_start + n;
        if in_use.contains(&uid) || limits::processes_of_user(uid) > 0 {
            continue;
        }
        in_use.push(uid);
        return Some(SandboxUser(uid));
    }
    None
}

/// Whether tests run as sandbox users at all: the checker is root and
/// `THREADLINGS_SANDBOX_USER` is not `0` (a sandbox folder other users cannot
/// reach still runs its tests as the checker's user).
pub(crate) fn sandbox_users_enabled() -> bool {
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    root && std::env::var_os("THREADLINGS_SANDBOX_USER").is_none_or(|v| v != "0")
}

/// What the runner watches while a test runs.
struct Watch {
    /// The test's process group (its first process's id).
    pgid: i32,
    user: Option<u32>,
    output_bytes: Arc<AtomicU64>,
}

impl Watch {
    /// A reason to kill the test now, if it went over a limit.
    fn over_limit(&self, check_memory: bool) -> Option<String> {
        if self.output_bytes.load(Ordering::Relaxed) > OUTPUT_KILL_LIMIT {
            return Some(format!(
                "it printed more than {} MiB of output",
                OUTPUT_KILL_LIMIT >> 20
            ));
        }
        if !check_memory {
            return None;
        }
        let usage = limits::usage(self.pgid, self.user);
        if usage.memory > RSS_LIMIT {
            return Some(format!(
                "it used more than {} MiB of memory",
                RSS_LIMIT >> 20
            ));
        }
        if self.user.is_some() && usage.processes >= (TASK_LIMIT / 2) as usize {
            return Some(format!(
                "it started more than {} processes (a fork bomb?)",
                TASK_LIMIT / 2
            ));
        }
        None
    }
}

enum Waited {
    Exited(ExitStatus),
    TimedOut,
    Killed(String),
}

fn ending_of(status: ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => Ending::Exited(-1),
    }
}

/// Waits for `child` up to `timeout`, killing it early when it goes over a limit.
fn wait_with_deadline(child: &mut Child, timeout: Duration, watch: &Watch) -> Result<Waited> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    let mut last_memory_check = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("waiting for a test process")? {
            return Ok(Waited::Exited(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(Waited::TimedOut);
        }
        let check_memory = now.duration_since(last_memory_check) >= Duration::from_millis(50);
        if check_memory {
            last_memory_check = now;
        }
        if let Some(reason) = watch.over_limit(check_memory) {
            return Ok(Waited::Killed(reason));
        }
        thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Reads a stream to its end on a thread, keeping at most [`OUTPUT_CAP`] bytes.
fn spawn_reader(
    mut stream: impl Read + Send + 'static,
    index: usize,
    done: mpsc::Sender<(usize, String, u64)>,
    total: Arc<AtomicU64>,
) {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total.fetch_add(n as u64, Ordering::Relaxed);
                    let room = OUTPUT_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    dropped += (n - n.min(room)) as u64;
                }
            }
        }
        let _ = done.send((index, String::from_utf8_lossy(&kept).into_owned(), dropped));
    });
}

/// Process-group handling, resource limits and the sandbox user (Unix).
mod limits {
    use std::fs;
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::Command;

    use crate::confine::procs;

    /// New process group; core dumps off; file size, tasks and data capped.
    pub(super) fn apply(cmd: &mut Command, task_limit: u64) {
        cmd.process_group(0);
        // SAFETY: only async-signal-safe libc calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                set_limit(libc::RLIMIT_CORE, 0);
                set_limit(libc::RLIMIT_FSIZE, super::FILE_SIZE_LIMIT);
                set_limit(libc::RLIMIT_NPROC, task_limit);
                set_limit(libc::RLIMIT_DATA, super::DATA_LIMIT);
                // If the checker dies without cleaning up (SIGKILL), so does the test.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }

    fn set_limit(resource: libc::__rlimit_resource_t, value: u64) {
        let limit = libc::rlimit {
            rlim_cur: value as libc::rlim_t,
            rlim_max: value as libc::rlim_t,
        };
        // SAFETY: setrlimit with a valid pointer; failure leaves the old limit.
        unsafe {
            libc::setrlimit(resource, &limit);
        }
    }

    /// Whether any process is still in the group.
    pub(super) fn group_alive(pgid: i32) -> bool {
        // SAFETY: signal 0 only checks for existence.
        unsafe { libc::killpg(pgid, 0) == 0 }
    }

    /// SIGKILL to every process of the group.
    pub(super) fn kill_group(pgid: i32) {
        // SAFETY: killpg has no memory effects; an empty group gives ESRCH, ignored.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }

    /// SIGKILL to every process of user `uid` (from a forked child that becomes
    /// that user: `kill(-1)` then reaches exactly that user's processes, also
    /// those that left the process group).
    pub(super) fn kill_user(uid: u32) {
        for _ in 0..2 {
            // SAFETY: the child only makes raw system calls, then exits.
            unsafe {
                let pid = libc::fork();
                if pid == 0 {
                    if libc::syscall(libc::SYS_setgid, uid as libc::c_long) == 0
                        && libc::syscall(libc::SYS_setuid, uid as libc::c_long) == 0
                    {
                        libc::kill(-1, libc::SIGKILL);
                    }
                    libc::_exit(0);
                }
                if pid > 0 {
                    let mut status = 0;
                    libc::waitpid(pid, &mut status, 0);
                }
            }
        }
    }

    /// Whether a user other than the owner can reach `dir` (every ancestor searchable).
    pub(super) fn reachable_by_others(dir: &Path) -> bool {
        let Ok(dir) = dir.canonicalize() else {
            return false;
        };
        dir.ancestors()
            .all(|d| fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
    }

    /// Makes the test sources of the sandbox crate in `cwd` unreadable to other
    /// users (a second layer beside Landlock): they are not needed at run time.
    pub(super) fn hide_test_sources(cwd: &Path) {
        let sources = crate::assemble::walk(&cwd.join("tests")).unwrap_or_default();
        for path in sources {
            if path.extension().is_some_and(|e| e == "rs")
                && fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
            {
                let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o600));
            }
        }
    }

    /// What a test uses right now.
    pub(super) struct Usage {
        /// Its processes (with a sandbox user: every process of that user).
        pub(super) processes: usize,
        /// Private resident memory of those processes (anonymous pages: shared
        /// libraries and shared memory counted by every process that maps them are
        /// left out), plus, with a sandbox user, the size of its `/dev/shm` files.
        pub(super) memory: u64,
    }

    /// The usage of a test: every process of its sandbox user, or else every
    /// process of this user in its process group `pgid`.
    pub(super) fn usage(pgid: i32, user: Option<u32>) -> Usage {
        // SAFETY: getuid and sysconf have no preconditions.
        let (me, page) = unsafe { (libc::getuid(), libc::sysconf(libc::_SC_PAGESIZE)) };
        let page = page.max(4096) as u64;
        let mut usage = Usage {
            processes: 0,
            memory: 0,
        };
        for process in procs::owned_by(user.unwrap_or(me)).into_iter().flatten() {
            if user.is_none() && procs::group(&process) != Some(pgid) {
                continue;
            }
            usage.processes += 1;
            // Resident pages that are its own: `resident - shared` of statm.
            let private = process
                .statm()
                .map_or(0, |m| m.resident.saturating_sub(m.shared));
            usage.memory += private * page;
        }
        if let Some(uid) = user {
            usage.memory += crate::confine::ipc::shm_bytes_of_user(uid);
        }
        usage
    }

    /// Processes (not threads) owned by `uid`.
    pub(super) fn processes_of_user(uid: u32) -> usize {
        procs::owned_by(uid).map_or(0, Iterator::count)
    }

    /// Tasks (processes and threads) of the current user, which RLIMIT_NPROC counts.
    pub(super) fn tasks_of_current_user() -> u64 {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        procs::owned_by(uid).map_or(4096, |processes| {
            processes
                .map(|p| p.tasks().map_or(1, |tasks| tasks.count() as u64))
                .sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes `group` on another thread; the receiver hears once it holds it.
    fn take_elsewhere(group: &'static str) -> (mpsc::Receiver<()>, thread::JoinHandle<()>) {
        let (held, heard) = mpsc::channel();
        let handle = thread::spawn(move || {
            let _guard = exclusive_in_group(group);
            let _ = held.send(());
        });
        (heard, handle)
    }

    #[test]
    fn a_group_is_held_by_one_test_at_a_time() {
        let guard = exclusive_in_group("run-tests-same");
        let (heard, handle) = take_elsewhere("run-tests-same");
        assert!(
            heard.recv_timeout(Duration::from_millis(200)).is_err(),
            "a second holder of the group while the first still holds it"
        );
        drop(guard);
        assert!(heard.recv_timeout(Duration::from_secs(30)).is_ok());
        handle.join().expect("the other thread");
    }

    #[test]
    fn other_groups_run_beside_it() {
        let _guard = exclusive_in_group("run-tests-one");
        let (heard, handle) = take_elsewhere("run-tests-other");
        assert!(heard.recv_timeout(Duration::from_secs(30)).is_ok());
        handle.join().expect("the other thread");
    }
}
