//! Runs a topic's demo binary for a snapshot test: the lesson's program with
//! `THREADLINGS_TIME_SCALE`, its output captured, a `todo!()` or a failure told
//! plainly. Compare the output with [`assert_crate_snapshot!`](crate::assert_crate_snapshot)
//! after normalising it with [`Normalizer`](crate::Normalizer).
//!
//! ```ignore
//! let run = threadlings_harness::Demo::new(env!("CARGO_BIN_EXE_demo"))
//!     .time_scale("0.02")
//!     .run();
//! run.assert_success();
//! let text = threadlings_harness::Normalizer::default().apply(&run.stdout);
//! threadlings_harness::assert_crate_snapshot!("demo", text);
//! ```

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::child::fail_if_unfinished;

/// How much of each output stream is read back: far more than any demo prints.
const OUTPUT_CAP: u64 = 4 << 20;
/// How often a demo with a time limit is looked at.
const POLL: Duration = Duration::from_millis(10);

/// A demo binary about to run. Its output goes to files rather than pipes, so
/// the test waits for the demo itself, not for a process it started that still
/// holds a pipe open; stdin is closed.
#[derive(Debug)]
pub struct Demo {
    command: Command,
    limit: Option<Duration>,
}

/// What a demo did: how it ended and what it printed.
#[derive(Debug)]
pub struct DemoRun {
    /// How the demo process ended (killed, when it was stopped at its time limit).
    pub status: ExitStatus,
    /// Its standard output, lossily decoded, at most 4 MiB.
    pub stdout: String,
    /// Its standard error, lossily decoded, at most 4 MiB.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
    /// The time limit it was stopped at, if it did not end by itself.
    pub timed_out: Option<Duration>,
}

impl Demo {
    /// The demo at `program`, usually `env!("CARGO_BIN_EXE_demo")`. Without a
    /// [`time_limit`](Demo::time_limit) the test's own time limit stops a hung demo.
    pub fn new(program: impl AsRef<OsStr>) -> Demo {
        Demo {
            command: Command::new(program),
            limit: None,
        }
    }

    /// Sets `THREADLINGS_TIME_SCALE`: the lesson's time unit is 1 s × `scale`.
    pub fn time_scale(mut self, scale: &str) -> Demo {
        self.command.env(crate::protocol::env::TIME_SCALE, scale);
        self
    }

    /// Adds a command-line argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Demo {
        self.command.arg(arg);
        self
    }

    /// Stops the demo (SIGKILL) if it has not ended after `limit`; the run then
    /// says so in [`DemoRun::timed_out`].
    pub fn time_limit(mut self, limit: Duration) -> Demo {
        self.limit = Some(limit);
        self
    }

    /// Runs the demo to its end (or its time limit) and returns what it did.
    ///
    /// Panics, failing the test, only when the demo cannot be started at all.
    pub fn run(mut self) -> DemoRun {
        let mut stdout = private_file();
        let mut stderr = private_file();
        let started = Instant::now();
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(duplicate(&stdout))
            .stderr(duplicate(&stderr))
            .spawn()
            .unwrap_or_else(|e| panic!("the test could not start the demo binary: {e}"));
        let mut timed_out = None;
        let status = match self.limit {
            None => child.wait(),
            Some(limit) => loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) if started.elapsed() < limit => thread::sleep(POLL),
                    Ok(None) => {
                        let _ = child.kill();
                        timed_out = Some(limit);
                        break child.wait();
                    }
                    Err(e) => break Err(e),
                }
            },
        }
        .unwrap_or_else(|e| panic!("the test could not wait for the demo binary: {e}"));
        DemoRun {
            status,
            stdout: read_back(&mut stdout),
            stderr: read_back(&mut stderr),
            elapsed: started.elapsed(),
            timed_out,
        }
    }
}

impl DemoRun {
    /// Fails the test unless the demo ended by itself with success: first when it
    /// reached a `todo!()` ("not implemented yet: src/x.rs:L"), then when it was
    /// stopped at its time limit, then when it failed, showing its output.
    pub fn assert_success(&self) {
        fail_if_unfinished(&self.stderr, "the demo process");
        let Self {
            status,
            stdout,
            stderr,
            ..
        } = self;
        if let Some(limit) = self.timed_out {
            panic!(
                "the demo timed out: it had not ended after {limit:?} and was stopped. A thread \
                 waits forever: deadlock, missed wakeup or a forgotten join?\n\
                 Its output:\n{stdout}\nIts errors:\n{stderr}"
            );
        }
        assert!(
            status.success(),
            "the demo failed ({status}).\nIts output:\n{stdout}\nIts errors:\n{stderr}"
        );
    }
}

/// Asserts an insta snapshot kept in the calling crate's `tests/snapshots`
/// folder, wherever the workspace root is: `assert_crate_snapshot!("demo", text)`
/// is `insta::assert_snapshot!("demo", text)` with that snapshot path. The
/// snapshot's name keeps the caller's module path, as insta's own macro does.
///
/// The calling crate needs `insta` among its (dev-)dependencies, as every topic
/// crate has.
#[macro_export]
macro_rules! assert_crate_snapshot {
    ($name:expr, $text:expr $(,)?) => {{
        let mut settings = ::insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| ::insta::assert_snapshot!($name, $text));
    }};
}

/// A new, empty file only this process can reach: created in the test's private
/// temporary folder and unlinked at once, so nothing is left behind and nothing
/// can swap it for another file before it is read back.
fn private_file() -> File {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "threadlings-demo-output-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap_or_else(|e| {
            panic!(
                "the test could not create {} for the demo's output: {e}",
                path.display()
            )
        });
    let _ = fs::remove_file(&path);
    file
}

/// A second handle on `file`, given to the demo as one of its outputs.
fn duplicate(file: &File) -> File {
    file.try_clone()
        .unwrap_or_else(|e| panic!("the test could not share a file with the demo: {e}"))
}

/// What the demo wrote to `file`, at most [`OUTPUT_CAP`] bytes, lossily decoded.
fn read_back(file: &mut File) -> String {
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(0)).is_ok() {
        let _ = file.take(OUTPUT_CAP).read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload_text;

    fn shell(script: &str) -> Demo {
        Demo::new("/bin/sh").arg("-c").arg(script)
    }

    #[test]
    fn output_time_scale_and_arguments_reach_the_demo() {
        let run = shell("echo \"scale $THREADLINGS_TIME_SCALE\"; echo oops >&2")
            .time_scale("0.25")
            .run();
        assert!(run.status.success());
        assert_eq!(run.stdout, "scale 0.25\n");
        assert_eq!(run.stderr, "oops\n");
        assert_eq!(run.timed_out, None);
        run.assert_success();
    }

    #[test]
    fn a_demo_past_its_limit_is_stopped_and_told() {
        let limit = Duration::from_millis(200);
        let run = shell("echo started; exec sleep 30").time_limit(limit).run();
        assert_eq!(run.timed_out, Some(limit));
        assert!(!run.status.success());
        assert!(
            run.elapsed < Duration::from_secs(20),
            "stopped after {:?}",
            run.elapsed
        );
        assert_eq!(run.stdout, "started\n");
        let payload = std::panic::catch_unwind(|| run.assert_success())
            .expect_err("a stopped demo must fail the test");
        assert!(payload_text(payload.as_ref()).starts_with("the demo timed out"));
    }

    #[test]
    fn a_failing_demo_shows_its_output_and_a_todo_comes_first() {
        let failed = shell("echo partial; exit 3").run();
        let payload = std::panic::catch_unwind(|| failed.assert_success())
            .expect_err("a failed demo must fail the test");
        let message = payload_text(payload.as_ref());
        assert!(
            message.starts_with("the demo failed (exit status: 3)") && message.contains("partial"),
            "{message}"
        );

        let unfinished = shell(
            "echo \"thread 'main' panicked at src/spawn.rs:24:5:\" >&2; \
             echo 'not yet implemented' >&2; exit 101",
        )
        .run();
        let payload = std::panic::catch_unwind(|| unfinished.assert_success())
            .expect_err("a todo!() in the demo must fail the test");
        assert_eq!(
            payload_text(payload.as_ref()),
            "not implemented yet: src/spawn.rs:24 (reached in the demo process)"
        );
    }
}
