//! Confinement: the one layer every test process goes through.
//!
//! A test process, and every process it starts, runs:
//!
//! - in its own **Landlock** domain (when the kernel has Landlock): it may read
//!   and execute its test binary, the sandbox's target folder (the given
//!   binaries tests run) and the system's programs and libraries; read the
//!   sandbox's snapshots and a few files of `/etc` and `/dev`; write only its
//!   private temporary folder (`TMPDIR` and `HOME`, removed after the test) and
//!   what the topic needs (`/dev/shm` for the IPC topic). There is no rule for
//!   `/proc` at all (no `/proc/self/mem`, `/proc/self/fd`, no other process), no
//!   TCP bind or connect, no signal to a process outside the domain and no
//!   connection to an abstract Unix socket made outside it;
//! - with `PR_SET_NO_NEW_PRIVS`: no set-user-id program gives privileges back;
//! - with its pass report on an inherited socket that only the harness can
//!   reach (see `threadlings_harness::protocol`), read here with a size cap and
//!   a deadline;
//! - and leaves nothing behind: its temporary folder, its `/dev/shm` entries
//!   and its System V IPC objects are removed after it (see [`ipc`]).
//!
//! The ruleset is built in the parent ([`Confinement::prepare`]); between fork
//! and exec the child makes only raw system calls (`fcntl`, `prctl`,
//! `landlock_restrict_self`) and allocates nothing. [`layers`] says which of
//! these layers the running machine really enforces.

use std::fmt;
use std::fs;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

use anyhow::{Context, Result};
use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope,
};
use serde::Serialize;

pub mod ipc;
pub mod procs;

pub use threadlings_protocol::REPORT_FD_ENV;

/// The newest Landlock ABI this confinement was tested with. Rights of newer
/// ABIs (UDP, pathname Unix sockets) are not handled until tested; the crate's
/// best-effort mode drops what an older kernel lacks, and [`layers`] says what
/// is left.
pub const TESTED_ABI: ABI = ABI::V7;

/// Where POSIX shared-memory segments live (granted to topics that declare
/// `shared_memory = true` in their manifest).
pub const SHARED_MEMORY_DIR: &str = "/dev/shm";

/// Most bytes of report kept from one test; the rest is read and dropped.
pub const REPORT_CAP: usize = 1024 * 1024;

/// System folders every confined process (a test, the compiler on student
/// code) may read and execute: programs and libraries.
pub(crate) const SYSTEM_READ_EXEC: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
];
/// System files every test may read: the loader's cache, user and group names,
/// the time zone, random numbers.
const SYSTEM_READ: &[&str] = &[
    "/etc/ld.so.cache",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/localtime",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];
/// System files every test may read and write.
const SYSTEM_READ_WRITE: &[&str] = &["/dev/null"];

/// What one test may touch, besides the system's programs and libraries and its
/// private temporary folder.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Folders (or files) it may read and execute; its test binary is added.
    pub read_exec: Vec<PathBuf>,
    /// Folders (or files) it may read.
    pub read: Vec<PathBuf>,
    /// Folders it may read and write files in (`/dev/shm`; snapshots when blessing).
    pub write: Vec<PathBuf>,
    /// Where the private temporary folder is made; it must be reachable by the
    /// sandbox user when there is one.
    pub temp_parent: PathBuf,
}

/// The confinement layers this machine enforces on test processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SandboxLayers {
    /// The kernel's Landlock ABI version (0: no Landlock).
    pub kernel_landlock_abi: u32,
    /// The ABI enforced: the kernel's, at most [`TESTED_ABI`].
    pub landlock_abi: u32,
    /// Files: read only what the test needs, write only its own folder (ABI ≥ 1;
    /// truncation is covered from ABI 3).
    pub filesystem: bool,
    /// No TCP bind or connect (ABI ≥ 4).
    pub network: bool,
    /// No signal and no abstract Unix socket outside the test (ABI ≥ 6).
    pub scopes: bool,
    /// `PR_SET_NO_NEW_PRIVS` (always: a test does not start without it).
    pub no_new_privs: bool,
    /// Each test runs as its own unprivileged user id (the checker runs as root
    /// and `THREADLINGS_SANDBOX_USER` is not `0`; a sandbox folder that other
    /// users cannot reach still falls back to the checker's user).
    pub user_per_test: bool,
}

impl SandboxLayers {
    /// Whether files, network and signals are confined: what `grade` needs.
    /// Signals are kept in by Landlock's scopes (ABI 6, Linux 6.12) or, on an
    /// older kernel, by a user id per test (a process may only signal its own
    /// user's processes), as on a CI runner with Linux 6.8 grading as root.
    pub fn complete(&self) -> bool {
        self.filesystem && self.network && (self.scopes || self.user_per_test)
    }

    /// The layers this machine lacks, in words (empty when [`complete`](Self::complete)).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.filesystem {
            missing.push("file access (Landlock)");
        }
        if !self.network {
            missing.push("network (Landlock ABI 4)");
        }
        if !self.scopes && !self.user_per_test {
            missing.push("signals (Landlock ABI 6, or a user id per test as root)");
        }
        missing
    }
}

impl fmt::Display for SandboxLayers {
    /// One line: `Landlock ABI 7 (files, TCP, signals and sockets), no_new_privs, a user id per test`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.filesystem {
            let mut kinds = vec!["files"];
            if self.network {
                kinds.push("TCP");
            }
            if self.scopes {
                kinds.push("signals and sockets");
            }
            write!(
                f,
                "Landlock ABI {} ({})",
                self.landlock_abi,
                kinds.join(", ")
            )?;
        } else {
            write!(f, "no Landlock")?;
        }
        if self.no_new_privs {
            write!(f, ", no_new_privs")?;
        }
        if self.user_per_test {
            write!(f, ", a user id per test")?;
        }
        Ok(())
    }
}

/// The confinement layers this machine enforces (see [`SandboxLayers`]).
///
/// `check` prints it (`sandbox: {layers}`); `grade` refuses unless
/// [`SandboxLayers::complete`] (or told `--no-sandbox`).
pub fn layers() -> SandboxLayers {
    let kernel = kernel_landlock_abi();
    let landlock_abi = kernel.min(TESTED_ABI as u32);
    SandboxLayers {
        kernel_landlock_abi: kernel,
        landlock_abi,
        filesystem: landlock_abi >= 1,
        network: landlock_abi >= 4,
        scopes: landlock_abi >= 6,
        no_new_privs: true,
        user_per_test: crate::run::sandbox_users_enabled(),
    }
}

/// The kernel's Landlock ABI version, 0 without Landlock.
fn kernel_landlock_abi() -> u32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and the VERSION flag the call only returns a number.
    let version = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    u32::try_from(version).unwrap_or(0)
}

/// One test's confinement, from before its process starts until after it ended.
pub(crate) struct Confinement {
    /// The private temporary folder (`TMPDIR`, `HOME`).
    temp: PathBuf,
    /// The Landlock ruleset (`None` without Landlock), closed once the child started.
    ruleset: Option<OwnedFd>,
    /// The child's end of the report socket, closed here once the child started.
    report_theirs: Option<OwnedFd>,
    /// Our end of the report socket.
    report_ours: UnixStream,
    /// What IPC objects existed before (no sandbox user), or the sandbox user id.
    ipc: ipc::Scope,
}

impl Confinement {
    /// Makes the private temporary folder (owned by `user`), the report socket and
    /// the Landlock ruleset for running `binary` under `policy`.
    pub(crate) fn prepare(policy: &Policy, binary: &Path, user: Option<u32>) -> Result<Self> {
        let temp = make_private_dir(&policy.temp_parent, user)?;
        let prepared = (|| {
            let ruleset = build_ruleset(policy, binary, &temp)?;
            let (ours, theirs) = UnixStream::pair().context("cannot make the report socket")?;
            ours.shutdown(std::net::Shutdown::Write)
                .context("cannot make the report socket one-way")?;
            theirs
                .shutdown(std::net::Shutdown::Read)
                .context("cannot make the report socket one-way")?;
            Ok::<_, anyhow::Error>((ruleset, ours, OwnedFd::from(theirs)))
        })();
        let (ruleset, report_ours, report_theirs) = match prepared {
            Ok(parts) => parts,
            Err(e) => {
                remove_private_dir(&temp);
                return Err(e);
            }
        };
        Ok(Confinement {
            temp,
            ruleset,
            report_theirs: Some(report_theirs),
            report_ours,
            ipc: ipc::Scope::begin(user),
        })
    }

    /// Sets the test's environment (`TMPDIR`, `HOME`, the report descriptor) and,
    /// between fork and exec: the report socket survives exec, no_new_privs, the
    /// Landlock domain. Call after every other `pre_exec` (the user id is set first).
    pub(crate) fn apply(&self, cmd: &mut Command) {
        let report = self.report_theirs.as_ref().map_or(-1, |fd| fd.as_raw_fd());
        let ruleset = self.ruleset.as_ref().map_or(-1, |fd| fd.as_raw_fd());
        cmd.env("TMPDIR", &self.temp)
            .env("HOME", &self.temp)
            .env(REPORT_FD_ENV, report.to_string());
        // SAFETY: only async-signal-safe raw system calls between fork and exec, on
        // descriptors this process keeps open until the child has started.
        unsafe {
            cmd.pre_exec(move || {
                // Nothing the checker inherited (a jobserver pipe, a terminal) reaches
                // the test: every descriptor above stdio closes at exec.
                if libc::syscall(
                    libc::SYS_close_range,
                    3u32,
                    u32::MAX,
                    libc::CLOSE_RANGE_CLOEXEC,
                ) != 0
                {
                    // Before Linux 5.11: one descriptor at a time.
                    for fd in 3..4096 {
                        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                    }
                }
                // The socket is close-on-exec in the checker, so no other test inherits
                // it; this child alone keeps it across exec (at the same number).
                if libc::fcntl(report, libc::F_SETFD, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if ruleset >= 0 && libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }

    /// Once the child started: closes our copies of its descriptors and starts
    /// reading the report.
    pub(crate) fn started(&mut self) -> Result<ReportReader> {
        self.report_theirs = None;
        self.ruleset = None;
        ReportReader::start(&self.report_ours)
    }

    /// After the test's processes were killed: removes what it left (its folder,
    /// its shared-memory files and System V IPC objects). `pgid` is its process group.
    pub(crate) fn clean_up(self, pgid: i32) {
        remove_private_dir(&self.temp);
        self.ipc.end(pgid);
    }
}

/// Reads a test's report on a thread, keeping at most [`REPORT_CAP`] bytes.
pub(crate) struct ReportReader {
    done: mpsc::Receiver<String>,
    stream: UnixStream,
}

impl ReportReader {
    fn start(ours: &UnixStream) -> Result<ReportReader> {
        let mut reading = ours.try_clone().context("cannot read the report socket")?;
        let stream = ours.try_clone().context("cannot read the report socket")?;
        let (tx, done) = mpsc::channel();
        thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                match reading.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let room = REPORT_CAP.saturating_sub(kept.len());
                        kept.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            }
            let _ = tx.send(String::from_utf8_lossy(&kept).into_owned());
        });
        Ok(ReportReader { done, stream })
    }

    /// The report, once every writer closed it or at `deadline` (what came so far).
    pub(crate) fn finish(self, deadline: Instant) -> String {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.done.recv_timeout(left) {
            Ok(text) => text,
            Err(_) => {
                // A process that escaped the test keeps the socket open: stop reading.
                let _ = self.stream.shutdown(std::net::Shutdown::Both);
                self.done
                    .recv_timeout(std::time::Duration::from_millis(200))
                    .unwrap_or_default()
            }
        }
    }
}

/// Builds the ruleset for `policy`; `None` when the kernel has no Landlock.
fn build_ruleset(policy: &Policy, binary: &Path, temp: &Path) -> Result<Option<OwnedFd>> {
    let abi = TESTED_ABI;
    let read_exec = AccessFs::Execute | AccessFs::ReadFile | AccessFs::ReadDir;
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let write =
        read | AccessFs::WriteFile | AccessFs::MakeReg | AccessFs::RemoveFile | AccessFs::Truncate;
    let file_rw = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate;

    let mut rules: Vec<PathRule> = Vec::new();
    let system = |list: &[&str], access: BitFlags<AccessFs>| {
        list.iter()
            .map(move |p| (PathBuf::from(p), access, false))
            .collect::<Vec<_>>()
    };
    rules.extend(system(SYSTEM_READ_EXEC, read_exec));
    rules.extend(system(SYSTEM_READ, read));
    rules.extend(system(SYSTEM_READ_WRITE, file_rw));
    rules.push((binary.to_path_buf(), read_exec, true));
    rules.extend(
        policy
            .read_exec
            .iter()
            .map(|p| (p.clone(), read_exec, true)),
    );
    rules.extend(policy.read.iter().map(|p| (p.clone(), read, true)));
    rules.extend(policy.write.iter().map(|p| (p.clone(), write, true)));
    rules.push((temp.to_path_buf(), AccessFs::from_all(abi), true));

    let created = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::from_all(abi)))
        .and_then(|r| r.create())
        .context("cannot create the Landlock ruleset")?;
    Ok(add_path_rules(created, rules)?.into())
}

/// A path rule: the path, the rights beneath it, and whether it must exist
/// (an optional system path this machine lacks, `/lib32` say, is skipped).
pub(crate) type PathRule = (PathBuf, BitFlags<AccessFs>, bool);

/// Adds `rules` to a ruleset; a file gets only the rights a file can have.
pub(crate) fn add_path_rules(
    mut created: RulesetCreated,
    rules: Vec<PathRule>,
) -> Result<RulesetCreated> {
    for (path, access, required) in rules {
        let fd = match PathFd::new(&path) {
            Ok(fd) => fd,
            Err(_) if !required => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot open {} for the sandbox", path.display()));
            }
        };
        let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
        let access = if is_dir {
            access
        } else {
            access & AccessFs::from_file(TESTED_ABI)
        };
        created = created
            .add_rule(PathBeneath::new(fd, access))
            .with_context(|| format!("cannot add {} to the sandbox", path.display()))?;
    }
    Ok(created)
}

/// Makes a fresh private folder in `parent`, owned by `user` when there is one.
fn make_private_dir(parent: &Path, user: Option<u32>) -> Result<PathBuf> {
    use rand::RngExt;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let id: u64 = rand::rng().random();
    let dir = parent.join(format!("tmp-{id:016x}"));
    fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", dir.display()))?;
    if let Some(uid) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(uid))
            .with_context(|| format!("cannot hand {} to the sandbox user", dir.display()))?;
    }
    Ok(dir)
}

/// Removes a test's private folder, whatever the test did to its permissions.
fn remove_private_dir(dir: &Path) {
    if fs::remove_dir_all(dir).is_ok() || !dir.exists() {
        return;
    }
    // Not root, and the test made a folder unreadable or unwritable: give the
    // owner (us) its rights back, folders only (links are never followed).
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o700));
            if let Ok(entries) = fs::read_dir(&path) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        }
    }
    let _ = fs::remove_dir_all(dir);
}
