//! The completion report: the one channel through which a test can say "passed".
//!
//! The checker starts every test process with the write end of a Unix socket
//! open at the descriptor number named by [`REPORT_FD_ENV`]. The harness claims
//! it before any code under test can run: a constructor in `.init_array` (run
//! by the dynamic loader before `main`, before libtest starts a thread) marks it
//! close-on-exec, so no process the code under test starts inherits it; the
//! first line of [`graded`] repeats the claim (a no-op by then, but it keeps the
//! constructor linked and covers a platform without `.init_array`) and takes the
//! descriptor for itself. Safe Rust cannot turn a number into a file, the topic
//! crates forbid `unsafe`, a socket cannot be reopened through `/proc/self/fd`
//! (the kernel refuses with `ENXIO`), and the sandbox keeps `/proc` closed: the
//! code under test has no way to write to the channel.
//!
//! [`graded`] writes a `pass` line only after its body returned, a `fail` line
//! after it panicked, and `progress` lines (a `todo!()` was reached) at any time.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

#[cfg(doc)]
use crate::protocol::REPORT_FD_ENV;
use crate::protocol::{Outcome, ReportLine, cap_message, env};
use crate::{panic_capture, timeline};

/// Not looked at yet.
const UNCLAIMED: i32 = -2;
/// No report channel (outside the checker), or already taken by [`graded`].
const NO_CHANNEL: i32 = -1;

/// The claimed descriptor, until [`graded`] takes it.
static CLAIMED_FD: AtomicI32 = AtomicI32::new(UNCLAIMED);

/// The channel [`graded`] took; `None` once its verdict line is written.
static CHANNEL: Mutex<Option<File>> = Mutex::new(None);

/// Runs before `main` (the dynamic loader calls every `.init_array` entry).
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[unsafe(link_section = ".init_array")]
static CLAIM_BEFORE_MAIN: extern "C" fn() = claim_before_main;

#[cfg(any(target_os = "linux", target_os = "android"))]
extern "C" fn claim_before_main() {
    claim();
}

/// Looks the descriptor up once and marks it close-on-exec.
fn claim() {
    if CLAIMED_FD.load(Ordering::SeqCst) != UNCLAIMED {
        return;
    }
    let fd = report_fd_from_env().unwrap_or(NO_CHANNEL);
    let _ = CLAIMED_FD.compare_exchange(UNCLAIMED, fd, Ordering::SeqCst, Ordering::SeqCst);
}

/// The descriptor named by [`REPORT_FD_ENV`], if it is an open socket; it is
/// made close-on-exec. Makes no allocation (it may run before `main`).
fn report_fd_from_env() -> Option<i32> {
    // SAFETY: a NUL-terminated name; the value is read at once, while no other
    // thread exists or (later) before any test code could change the environment.
    let value = unsafe { libc::getenv(env::REPORT_FD_C.as_ptr()) };
    if value.is_null() {
        return None;
    }
    // SAFETY: getenv returned a NUL-terminated string.
    let text = unsafe { std::ffi::CStr::from_ptr(value) }.to_str().ok()?;
    let fd: i32 = text.parse().ok()?;
    if fd <= 2 {
        return None;
    }
    // SAFETY: fstat fills the zeroed struct it is given; an invalid fd gives -1.
    let is_socket = unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        libc::fstat(fd, &mut stat) == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFSOCK
    };
    // SAFETY: fcntl on a descriptor we checked is open.
    (is_socket && unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } == 0).then_some(fd)
}

/// Takes the claimed channel: only the first caller in the process gets it.
fn take_channel() -> Option<File> {
    let fd = CLAIMED_FD.swap(NO_CHANNEL, Ordering::SeqCst);
    // SAFETY: the checker opened this descriptor for this process and nothing else
    // in it refers to it; the swap hands it to exactly one owner.
    (fd >= 0).then(|| unsafe { File::from_raw_fd(fd) })
}

/// Notes a passing test attaches to its verdict (for example "skipped: 1 core").
static NOTES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Attaches a note to this test's verdict, shown beside it in every report.
///
/// Use it for a measured ratio, or to explain why a performance test passed
/// without measuring (fewer cores than it needs).
pub fn note(text: impl Into<String>) {
    let text = text.into();
    eprintln!("note: {text}");
    if let Ok(mut notes) = NOTES.lock() {
        notes.push(text);
    }
}

fn take_notes() -> Vec<String> {
    NOTES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// Runs one graded test body.
///
/// The report channel is taken before `body` runs; a `pass` line is written to it
/// only if `body` returns normally. A panic is recorded as a failure with a
/// message a student can act on, then resumed so libtest sees it. Outside the
/// checker (plain `cargo test`), and in a `graded` nested inside another, there
/// is no channel and `graded` simply runs the body.
pub fn graded(body: impl FnOnce()) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    std::hint::black_box(&CLAIM_BEFORE_MAIN);
    claim();
    let channel = take_channel();
    let reporting = channel.is_some();
    if let Ok(mut slot) = CHANNEL.lock() {
        *slot = channel;
    }
    panic_capture::install(report_todo);
    let _ = timeline::take();
    if reporting {
        report_waits_before_the_limit();
    }
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    if !reporting {
        if let Err(payload) = result {
            panic::resume_unwind(payload);
        }
        return;
    }
    match result {
        Ok(()) => finish(ReportLine {
            outcome: Outcome::Pass,
            message: None,
            not_implemented: None,
            notes: take_notes(),
            timeline: None,
            waits: None,
        }),
        Err(payload) => {
            let message = panic_capture::payload_text(payload.as_ref());
            let mut message = panic_capture::describe_failure(&message);
            message.push_str(&who_waits_on_what());
            finish(ReportLine {
                outcome: Outcome::Fail,
                message: Some(cap_message(message)),
                not_implemented: panic_capture::first_todo_location(),
                notes: take_notes(),
                timeline: timeline::take(),
                waits: None,
            });
            panic::resume_unwind(payload);
        }
    }
}

/// What the instrumented locks of `crate::sync` (topics 04 and 05, in the
/// checker's build) show when a test fails: a lock-order deadlock or a lost
/// wakeup, with threads and source lines, as lines to add to the message;
/// empty when they show neither (or the topic has no such locks).
///
/// The failing thread is the observer, not a waiter. Nothing in the process can
/// tell whether a thread that is not waiting on one of these locks is blocked
/// elsewhere, so such a thread counts as one that may still notify.
fn who_waits_on_what() -> String {
    let snapshot = threadlings_waitgraph::snapshot();
    let found = threadlings_waitgraph::diagnose(
        &snapshot,
        &|_| threadlings_waitgraph::Activity::Unknown,
        false,
    );
    found
        .iter()
        .map(|sentence| format!("\n{sentence}"))
        .collect()
}

/// With [`env::WAITS_AT_MS`] set (topics whose `crate::sync` records waits),
/// a thread that sleeps until then and reports once, on the report channel, who
/// waits on what: if the test then runs out of time and is killed, the checker
/// names the deadlock or lost wakeup from it. The thread ends after reporting,
/// so it is gone by the time limit.
fn report_waits_before_the_limit() {
    let Some(at) = std::env::var(env::WAITS_AT_MS)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(std::time::Duration::from_millis)
    else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("threadlings-waits".into())
        .spawn(move || {
            std::thread::sleep(at);
            let snapshot = threadlings_waitgraph::snapshot();
            if snapshot.threads.is_empty() {
                return;
            }
            if let Ok(mut slot) = CHANNEL.lock()
                && let Some(file) = slot.as_mut()
            {
                write_line(
                    file,
                    &ReportLine {
                        outcome: Outcome::Progress,
                        message: None,
                        not_implemented: None,
                        notes: Vec::new(),
                        timeline: None,
                        waits: Some(snapshot),
                    },
                );
            }
        });
}

/// Reports at once that a `todo!()` was reached, so even a test that then hangs
/// (a thread died before it could answer) names the unimplemented function.
fn report_todo(location: &str) {
    if let Ok(mut slot) = CHANNEL.lock()
        && let Some(file) = slot.as_mut()
    {
        write_line(
            file,
            &ReportLine {
                outcome: Outcome::Progress,
                message: None,
                not_implemented: Some(location.to_owned()),
                notes: Vec::new(),
                timeline: None,
                waits: None,
            },
        );
    }
}

/// Writes the verdict line and closes the channel: nothing is reported after it.
fn finish(line: ReportLine) {
    let channel = CHANNEL.lock().ok().and_then(|mut slot| slot.take());
    if let Some(mut file) = channel {
        write_line(&mut file, &line);
    }
}

fn write_line(file: &mut File, line: &ReportLine) {
    let Ok(mut json) = serde_json::to_string(line) else {
        return;
    };
    json.push('\n');
    // A failed write means no pass is recorded, which is the safe outcome.
    let _ = file.write_all(json.as_bytes());
}
