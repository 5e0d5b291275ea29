//! Step 3, run: one test in its own process and process group, with a time
//! limit, a clean environment, stdin closed, output captured and capped, and
//! resource limits. Whatever happens, the whole process group is killed after.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// Output kept per stream; the rest is read and counted, not stored.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// Largest file a test process may write (RLIMIT_FSIZE).
pub const FILE_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

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
    /// Extra environment on top of the clean base.
    pub env: Vec<(String, String)>,
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
}

/// Runs one test process to completion or to its time limit.
pub fn run_test(request: &RunRequest) -> Result<RunOutput> {
    let mut cmd = Command::new(&request.binary);
    cmd.args([request.test.as_str(), "--exact", "--test-threads=1"])
        .current_dir(&request.cwd)
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("HOME", &request.cwd)
        .env("LANG", "C.UTF-8")
        .env("RUST_BACKTRACE", "0")
        .env("INSTA_UPDATE", "no")
        .env("INSTA_FORCE_PASS", "0")
        .env("INSTA_WORKSPACE_ROOT", &request.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in &request.env {
        cmd.env(key, value);
    }
    limits::apply(&mut cmd);

    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", request.binary.display()))?;
    let pgid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().context("test stdout")?;
    let stderr = child.stderr.take().context("test stderr")?;
    spawn_reader(stdout, 0, tx.clone());
    spawn_reader(stderr, 1, tx);

    let status = wait_with_deadline(&mut child, request.timeout)?;
    let elapsed = started.elapsed();
    // Kill what the test left behind: threads' children, grandchildren, anything in the group.
    limits::kill_group(pgid);
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
    let [stdout, stderr] = streams;
    let ending = match status {
        None => Ending::TimedOut,
        Some(status) => ending_of(status),
    };
    Ok(RunOutput {
        ending,
        elapsed,
        stdout,
        stderr,
        dropped_bytes,
    })
}

fn ending_of(status: ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => Ending::Exited(-1),
    }
}

/// Waits for `child` up to `timeout`; `None` when it is still running.
fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait().context("waiting for a test process")? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
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
) {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = OUTPUT_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    dropped += (n - n.min(room)) as u64;
                }
            }
        }
        let _ = done.send((index, String::from_utf8_lossy(&kept).into_owned(), dropped));
    });
}

/// A file that exists for one test run and is removed afterwards.
pub struct RunFile(pub PathBuf);

impl RunFile {
    /// A unique path inside `dir`.
    pub fn new(dir: &Path, prefix: &str) -> RunFile {
        use rand::RngExt;
        let id: u64 = rand::rng().random();
        RunFile(dir.join(format!("{prefix}-{id:016x}")))
    }
}

impl Drop for RunFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Process-group handling and resource limits (Unix).
mod limits {
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    /// New process group; core dumps off; file size capped; own session kept.
    pub(super) fn apply(cmd: &mut Command) {
        cmd.process_group(0);
        // SAFETY: only async-signal-safe libc calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                set_limit(libc::RLIMIT_CORE, 0);
                set_limit(libc::RLIMIT_FSIZE, super::FILE_SIZE_LIMIT);
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

    /// SIGKILL to every process of the group.
    pub(super) fn kill_group(pgid: i32) {
        // SAFETY: killpg has no memory effects; an empty group gives ESRCH, ignored.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
