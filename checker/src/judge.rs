//! Step 4, judge: a verdict from what the test process cannot forge — its exit
//! status and the report the harness writes, after the assertions ran, on a
//! socket the code under test cannot reach (see [`crate::confine`]). Printed
//! text such as `test result: ok` never decides anything.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use threadlings_protocol::{Outcome, ReportLine, Snapshot, todo_location};
use threadlings_waitgraph::Object;

use crate::confine::procs::ThreadState;
use crate::run::{Ending, RunOutput};

/// What a timeout says when the threads tell nothing more.
const HANG_GUESS: &str = "deadlock, missed wakeup or a forgotten join?";

/// What a thread was doing at a test's time limit, from its kernel state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Activity {
    /// On a CPU, or ready to run.
    Running,
    /// In a futex wait: a lock, a condition variable, a join or a channel.
    Futex,
    /// Reading a pipe.
    PipeRead,
    /// Writing a full pipe.
    PipeWrite,
    /// Waiting for a child process.
    ChildWait,
    /// In a timed sleep.
    Sleeping,
    /// Anything else.
    Other,
}

impl Activity {
    fn of(thread: &ThreadState) -> Activity {
        let wait = thread.blocked_in.as_str();
        // Order matters: `futex_do_wait` is a futex wait, not a child wait.
        if thread.state == 'R' {
            Activity::Running
        } else if wait.starts_with("futex") {
            Activity::Futex
        } else if wait.contains("pipe_read") || wait.contains("pipe_wait_readable") {
            Activity::PipeRead
        } else if wait.contains("pipe_write") || wait.contains("pipe_wait_writable") {
            Activity::PipeWrite
        } else if wait == "do_wait" || wait.contains("wait4") || wait.contains("waitid") {
            Activity::ChildWait
        } else if wait.contains("nanosleep") {
            Activity::Sleeping
        } else {
            Activity::Other
        }
    }
}

/// What one thread was doing at the time limit, in words; with the line of its
/// wait when the instrumented locks recorded one.
fn doing(thread: &ThreadState, waits: Option<&Snapshot>) -> String {
    let what = match Activity::of(thread) {
        Activity::Running => "running (busy: a loop that never ends, or a spin that waits?)".into(),
        Activity::Futex => "waiting on a lock, a condition variable, a join or a channel".into(),
        Activity::PipeRead => "waiting to read a pipe".into(),
        Activity::PipeWrite => "waiting to write a full pipe".into(),
        Activity::ChildWait => "waiting for a child process to end".into(),
        Activity::Sleeping => "sleeping".into(),
        Activity::Other if thread.blocked_in.is_empty() => format!("in state {}", thread.state),
        Activity::Other => format!("blocked in the kernel ({})", thread.blocked_in),
    };
    let recorded = waits
        .and_then(|w| w.threads.iter().find(|t| t.tid == thread.tid))
        .and_then(|t| t.waits.as_ref())
        .map(|wait| match &wait.on {
            Object::Lock { id, .. } => format!(" — for lock #{id}, at {}", wait.at),
            Object::Condvar { id, .. } => {
                format!(" — on condition variable #{id}, at {}", wait.at)
            }
        })
        .unwrap_or_default();
    format!(
        "thread {:?} (process {}, thread {}): {what}{recorded}",
        thread.name, thread.pid, thread.tid
    )
}

/// Whether a thread can still do something (notify a condition variable), from
/// its kernel state: the grader's half of the wait-for graph.
fn kernel_activity(
    thread: Option<&ThreadState>,
    listed_all: bool,
) -> threadlings_waitgraph::Activity {
    use threadlings_waitgraph::Activity as Can;
    match thread.map(Activity::of) {
        Some(Activity::Running | Activity::Sleeping) => Can::Running,
        Some(_) => Can::Blocked,
        None if listed_all => Can::Finished,
        None => Can::Unknown,
    }
}

/// The deadlocks and lost wakeups the instrumented locks' record shows, the
/// kernel's view of each thread filling in what the record cannot know (a
/// thread blocked in a join, or one that never touched those locks).
fn diagnose_waits(threads: &[ThreadState], waits: &Snapshot) -> Vec<String> {
    let listed_all = threads.len() < crate::confine::procs::THREADS_LISTED;
    let by_tid = |tid: i32| threads.iter().find(|t| t.tid == tid);
    // A thread of the test process outside the record (not its idle main
    // thread) that still runs may yet notify.
    let outsider_may_notify = threads.iter().any(|t| {
        t.group_leader
            && t.tid != t.pid
            && !waits.threads.iter().any(|w| w.tid == t.tid)
            && kernel_activity(Some(t), true) == threadlings_waitgraph::Activity::Running
    });
    threadlings_waitgraph::diagnose(
        waits,
        &|view| kernel_activity(by_tid(view.tid), listed_all),
        outsider_may_notify,
    )
}

/// Some threads blocked (in a futex: a join, a lock, a channel) while the
/// others only sleep, waking up now and then: most often a join of a thread
/// that loops until told to stop and was never told. Which call blocks is not
/// known: the kernel shows a futex wait, and reading another thread's stack
/// would need ptrace, which the sandbox forbids. The names say which threads.
fn join_of_a_thread_that_never_ends(shown: &[&ThreadState]) -> Option<String> {
    let names = |activity: Activity| {
        let names: Vec<String> = shown
            .iter()
            .filter(|t| Activity::of(t) == activity)
            .map(|t| format!("{:?}", t.name))
            .take(3)
            .collect();
        names.join(", ")
    };
    let only_blocked_and_sleeping = shown
        .iter()
        .all(|t| matches!(Activity::of(t), Activity::Futex | Activity::Sleeping));
    let (blocked, sleeping) = (names(Activity::Futex), names(Activity::Sleeping));
    (only_blocked_and_sleeping && !blocked.is_empty() && !sleeping.is_empty()).then(|| {
        format!(
            "thread {blocked} waited (in a join, a lock or a channel) while thread {sleeping} \
             only slept and woke, again and again: a join of a thread that never ends? A \
             thread that loops until told to stop must be told before it is joined, or not \
             be joined at all"
        )
    })
}

/// The likely cause of a hang and one line per thread, from the threads of the
/// test's process group at its time limit (and, for topics with instrumented
/// locks, the record of who waited on what shortly before). The test
/// process's main thread, which only waits for the test's own thread, is left out.
fn explain_hang(
    threads: &[ThreadState],
    waits: Option<&Snapshot>,
) -> (Option<String>, Vec<String>) {
    let shown: Vec<&ThreadState> = threads
        .iter()
        .filter(|t| !(t.group_leader && t.tid == t.pid && Activity::of(t) == Activity::Futex))
        .collect();
    if shown.is_empty() {
        return (None, Vec::new());
    }
    let named = waits
        .map(|w| diagnose_waits(threads, w))
        .unwrap_or_default();
    let any = |activity: Activity| shown.iter().any(|t| Activity::of(t) == activity);
    let cause = if !named.is_empty() {
        named.join("\n")
    } else if any(Activity::Running) {
        "a thread was still running: an endless loop, or a spin waiting for something that \
         never happens?"
            .to_owned()
    } else if any(Activity::PipeWrite) {
        "a process was writing to a full pipe that nobody reads: read the other end while \
         writing (both sides waiting on each other is a deadlock)"
            .to_owned()
    } else if any(Activity::PipeRead) {
        "a process was waiting to read a pipe: does every writer close (drop) its end when \
         done, and does the other side write at all?"
            .to_owned()
    } else if shown
        .iter()
        .all(|t| matches!(Activity::of(t), Activity::Futex | Activity::ChildWait))
    {
        "every thread was waiting on a lock, a condition variable, a join, a channel or a \
         child: a deadlock (two locks taken in different orders?), a missed wakeup (a notify \
         or a close that never comes?) or a join of a thread that never ends?"
            .to_owned()
    } else if let Some(cause) = join_of_a_thread_that_never_ends(&shown) {
        cause
    } else {
        HANG_GUESS.to_owned()
    };
    (
        Some(cause),
        shown.into_iter().map(|t| doing(t, waits)).collect(),
    )
}

/// Why a test did not pass, in words a student can act on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Failure {
    /// A `todo!()` was reached.
    NotImplemented {
        /// `src/join.rs:12`.
        location: String,
    },
    /// An assertion failed or the code panicked.
    Assertion {
        /// The test's message.
        message: String,
    },
    /// Still running at the time limit.
    TimedOut {
        /// The limit in seconds.
        seconds: f64,
        /// The likely cause, read from what the threads were doing (else a guess).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
        /// One line per thread at the time limit: its name and what it waited on.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        threads: Vec<String>,
    },
    /// The process ended without reporting (exit, abort, crash).
    Crashed {
        /// What happened.
        message: String,
    },
    /// Passed in some repeated runs and failed in others.
    Flaky {
        /// Passing runs.
        passed: u32,
        /// All runs.
        runs: u32,
        /// The first failure's message.
        message: String,
    },
    /// The topic did not compile.
    CompileError {
        /// The compiler's message.
        message: String,
    },
    /// A student file could not be taken (missing, not UTF-8, too large, a link).
    BadSubmission {
        /// What is wrong.
        message: String,
    },
    /// The checker itself failed for this test (not the student's fault).
    CheckerError {
        /// What went wrong.
        message: String,
    },
    /// Not run in a student's check, and so not passed: its task hangs, or its
    /// functional tests fail (a performance test then measures nothing).
    NotRun {
        /// Why, in words the student can act on.
        reason: String,
    },
}

impl Failure {
    /// Where the test reached a `todo!()` (`src/spawn.rs:14`, perhaps followed by
    /// the process it was reached in), if that is why it failed: in the test
    /// itself, or in a child process the test reported in the same words.
    pub fn todo_location(&self) -> Option<&str> {
        match self {
            Failure::NotImplemented { location } => Some(location),
            Failure::Assertion { message } => message.strip_prefix("not implemented yet: "),
            _ => None,
        }
    }

    /// The one-paragraph message shown beside a failed test.
    pub fn message(&self) -> String {
        match self {
            Failure::NotImplemented { location } => format!("not implemented yet: {location}"),
            Failure::Assertion { message } => message.clone(),
            Failure::TimedOut {
                seconds,
                cause,
                threads,
            } => {
                let mut text = format!(
                    "timed out after {} — {}",
                    format_seconds(*seconds),
                    cause.as_deref().unwrap_or(HANG_GUESS)
                );
                if !threads.is_empty() {
                    text.push_str("\nAt the time limit:");
                    for thread in threads {
                        text.push_str("\n  ");
                        text.push_str(thread);
                    }
                }
                text
            }
            Failure::Crashed { message } => message.clone(),
            Failure::Flaky {
                passed,
                runs,
                message,
            } => format!("flaky: passed {passed} of {runs} runs; a failing run said: {message}"),
            Failure::CompileError { message } => format!("does not compile:\n{message}"),
            Failure::BadSubmission { message } => format!("submission problem: {message}"),
            Failure::CheckerError { message } => format!("checker error: {message}"),
            Failure::NotRun { reason } => format!("not run: {reason}"),
        }
    }
}

fn format_seconds(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds:.1} s")
    }
}

/// The verdict of one run (or of several repeated runs) of a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `None` when the test passed.
    pub failure: Option<Failure>,
    /// Notes the test attached (a measured ratio, a skip reason).
    pub notes: Vec<String>,
}

impl Verdict {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// The failure's message, empty when the test passed.
    pub fn message(&self) -> String {
        self.failure
            .as_ref()
            .map(Failure::message)
            .unwrap_or_default()
    }

    /// A failed verdict.
    pub fn failed(failure: Failure) -> Verdict {
        Verdict {
            failure: Some(failure),
            notes: Vec::new(),
        }
    }
}

/// Judges one run from its ending and its report (`output.report`: the
/// harness's JSON lines; a line that does not parse is ignored).
pub fn judge_run(output: &RunOutput, timeout: Duration) -> Verdict {
    let lines: Vec<ReportLine> = output
        .report
        .lines()
        .filter_map(|l| serde_json::from_str::<ReportLine>(l).ok())
        .collect();
    // Where a `todo!()` was hit: from the harness, else from a child process's panic
    // printed in the output (a demo binary). Printed text only shapes the message.
    let todo = lines
        .iter()
        .find_map(|l| l.not_implemented.clone())
        .or_else(|| todo_location(&output.stdout).or_else(|| todo_location(&output.stderr)));
    // Who waited on what shortly before the limit (instrumented locks only):
    // written by the process under test, so capped, and only ever words.
    let waits = lines
        .iter()
        .rev()
        .find_map(|l| l.waits.clone())
        .map(Snapshot::capped);
    let last = lines.into_iter().rfind(|l| l.outcome != Outcome::Progress);
    if output.ending == Ending::TimedOut {
        return Verdict::failed(match todo {
            Some(location) => Failure::NotImplemented { location },
            None => {
                let (cause, threads) = explain_hang(&output.at_time_limit, waits.as_ref());
                Failure::TimedOut {
                    seconds: timeout.as_secs_f64(),
                    cause,
                    threads,
                }
            }
        });
    }
    if let Ending::Killed(reason) = &output.ending {
        return Verdict::failed(Failure::Crashed {
            message: format!("the test process was stopped: {reason}"),
        });
    }
    match last {
        Some(line) if line.outcome == Outcome::Pass => match output.ending {
            Ending::Exited(0) if output.left_running => Verdict::failed(Failure::Crashed {
                message: "the assertions passed, but the code left a process running after the test ended (it was killed): wait for every child process you start".into(),
            }),
            Ending::Exited(0) => Verdict {
                failure: None,
                notes: line.notes,
            },
            _ => Verdict::failed(Failure::Crashed {
                message: format!(
                    "the assertions passed, but then the test process {} (a thread still running after the test?)",
                    describe_ending(&output.ending)
                ),
            }),
        },
        Some(line) => {
            let failure = match todo {
                Some(location) => Failure::NotImplemented { location },
                None => Failure::Assertion {
                    message: line
                        .message
                        .unwrap_or_else(|| "the test failed without a message".into()),
                },
            };
            Verdict {
                failure: Some(failure),
                notes: line.notes,
            }
        }
        None => Verdict::failed(match todo {
            Some(location) => Failure::NotImplemented { location },
            None => Failure::Crashed {
                message: crash_message(output),
            },
        }),
    }
}

fn describe_ending(ending: &Ending) -> String {
    match ending {
        Ending::Exited(code) => format!("exited with code {code}"),
        Ending::Signaled(signal) => format!("was killed by {}", signal_name(*signal)),
        Ending::TimedOut => "timed out".into(),
        Ending::Killed(reason) => format!("was stopped: {reason}"),
    }
}

/// Why a process that never reported ended, with the likely cause.
fn crash_message(output: &RunOutput) -> String {
    let stderr = &output.stderr;
    let cause = if stderr.contains("has overflowed its stack") {
        "a stack overflow (unbounded recursion?)".to_owned()
    } else if stderr.contains("memory allocation") && stderr.contains("failed") {
        format!(
            "running out of memory (a test process may map {} GiB)",
            crate::run::DATA_LIMIT >> 30
        )
    } else if stderr.contains("Resource temporarily unavailable")
        || stderr.contains("failed to spawn thread")
    {
        format!(
            "too many processes or threads (a test may have {} at once)",
            crate::run::TASK_LIMIT
        )
    } else {
        match &output.ending {
            Ending::Exited(0) => {
                "process::exit (or similar) before the test's assertions ran".to_owned()
            }
            Ending::Exited(code) => format!("an exit with code {code}"),
            Ending::Signaled(signal) => format!("{} (an abort or a crash)", signal_name(*signal)),
            Ending::TimedOut => "the time limit".to_owned(),
            Ending::Killed(reason) => reason.clone(),
        }
    };
    let mut message = format!("the test process ended before reporting its result: {cause}");
    let tail = tail_lines(stderr, 6);
    if !tail.is_empty() {
        message.push_str("\nlast lines of its stderr:\n");
        message.push_str(&tail);
    }
    message
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGXFSZ => "SIGXFSZ (file size limit)".into(),
        other => format!("signal {other}"),
    }
}

fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Combines the verdicts of repeated runs: a pass needs every run to pass; a mix is flaky.
pub fn combine_repeats(runs: Vec<Verdict>) -> Verdict {
    let total = runs.len() as u32;
    let passed = runs.iter().filter(|v| v.passed()).count() as u32;
    let mut notes: Vec<String> = Vec::new();
    for note in runs.iter().flat_map(|v| v.notes.iter()) {
        if !notes.contains(note) {
            notes.push(note.clone());
        }
    }
    let first_failure = runs.into_iter().find_map(|v| v.failure);
    match first_failure {
        None => Verdict {
            failure: None,
            notes,
        },
        Some(failure) if passed == 0 => Verdict {
            failure: Some(failure),
            notes,
        },
        Some(failure) => Verdict {
            failure: Some(Failure::Flaky {
                passed,
                runs: total,
                message: failure.message(),
            }),
            notes,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(pid: i32, tid: i32, name: &str, state: char, blocked_in: &str) -> ThreadState {
        ThreadState {
            pid,
            group_leader: pid == 10,
            tid,
            name: name.into(),
            state,
            blocked_in: blocked_in.into(),
        }
    }

    fn explain(threads: &[ThreadState]) -> (Option<String>, Vec<String>) {
        explain_hang(threads, None)
    }

    #[test]
    fn a_lock_order_deadlock_names_every_waiting_thread_but_the_runner() {
        let (cause, lines) = explain(&[
            thread(10, 10, "suite-1234", 'S', "futex_do_wait"),
            thread(10, 11, "bank::opposite", 'S', "futex_do_wait"),
            thread(10, 12, "transfer-a", 'S', "futex_wait_queue"),
            thread(10, 13, "transfer-b", 'S', "futex_wait_queue"),
        ]);
        assert!(cause.expect("a cause").contains("deadlock"));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[1].contains("\"transfer-a\"") && lines[1].contains("a lock"));
        assert!(!lines.iter().any(|l| l.contains("suite-1234")), "{lines:?}");
    }

    #[test]
    fn a_busy_thread_is_named_as_a_loop() {
        let (cause, lines) = explain(&[
            thread(10, 11, "test", 'S', "futex_do_wait"),
            thread(10, 12, "spinner", 'R', ""),
        ]);
        assert!(cause.expect("a cause").contains("endless loop"));
        assert!(lines[1].contains("running"), "{lines:?}");
    }

    #[test]
    fn a_wait_beside_threads_that_only_sleep_is_named_as_a_join_that_never_ends() {
        let (cause, _) = explain(&[
            thread(10, 10, "suite-1234", 'S', "futex_do_wait"),
            thread(10, 11, "runtime_rules::", 'S', "futex_wait_queue"),
            thread(10, 12, "stubborn", 'S', "hrtimer_nanosleep"),
        ]);
        let cause = cause.expect("a cause");
        assert!(
            cause.starts_with(
                "thread \"runtime_rules::\" waited (in a join, a lock or a channel) while \
                 thread \"stubborn\" only slept"
            ),
            "{cause}"
        );
        assert!(
            cause.contains("a join of a thread that never ends?"),
            "{cause}"
        );
    }

    #[test]
    fn pipes_and_children_are_told_apart() {
        let (cause, lines) = explain(&[
            thread(10, 11, "test", 'S', "do_wait"),
            thread(20, 20, "ipc_worker", 'S', "pipe_write"),
        ]);
        assert!(cause.expect("a cause").contains("full pipe"));
        assert!(lines[0].contains("child process") && lines[1].contains("write a full pipe"));
        let (cause, _) = explain(&[thread(10, 11, "test", 'S', "anon_pipe_read")]);
        assert!(cause.expect("a cause").contains("read a pipe"));
    }

    /// A hung queue's record: thread 11 has waited 8 s on a condition variable;
    /// thread 12 (the test's own thread) used the queue and now waits elsewhere.
    fn lost_wakeup_record() -> String {
        r#"{"outcome":"progress","waits":{"threads":[
            {"tid":11,"name":null,"waits":{"on":{"kind":"condvar","id":1,
             "created":"src/queue.rs:39","lock":1},"at":"src/queue.rs:53","for_secs":8.0}},
            {"tid":12,"name":"queue::put_blocks"}]}}"#
            .replace('\n', "")
    }

    fn hung(report: String, at_time_limit: Vec<ThreadState>) -> Failure {
        let output = RunOutput {
            ending: Ending::TimedOut,
            elapsed: Duration::from_secs(10),
            stdout: String::new(),
            stderr: String::new(),
            dropped_bytes: 0,
            left_running: false,
            report,
            at_time_limit,
        };
        judge_run(&output, Duration::from_secs(10))
            .failure
            .expect("a timeout fails")
    }

    #[test]
    fn a_recorded_condvar_wait_nobody_can_end_is_named_with_its_line() {
        let threads = vec![
            thread(10, 10, "suite-1234", 'S', "futex_do_wait"),
            thread(10, 11, "suite-1234", 'S', "futex_wait_queue"),
            thread(10, 12, "queue::put_bloc", 'S', "futex_wait_queue"),
        ];
        let message = hung(lost_wakeup_record(), threads.clone()).message();
        assert!(
            message.starts_with(
                "timed out after 10 s — lost wakeup: an unnamed thread (id 11) has waited up \
                 to 8.0 s on condition variable #1 (created at src/queue.rs:39) at \
                 src/queue.rs:53, and no running thread is left to notify it."
            ),
            "{message}"
        );
        assert!(
            message.contains("(process 10, thread 11): waiting on a lock, a condition variable, a join or a channel — on condition variable #1, at src/queue.rs:53"),
            "{message}"
        );
        // A thread of the test process outside the record still runs: it may notify.
        let mut busy = threads.clone();
        busy.push(thread(10, 13, "spinner", 'R', ""));
        let message = hung(lost_wakeup_record(), busy).message();
        assert!(!message.contains("lost wakeup"), "{message}");
        assert!(message.contains("endless loop"), "{message}");
        // The test's own thread runs: no lost wakeup either.
        let mut running = threads;
        running[2].state = 'R';
        running[2].blocked_in.clear();
        assert!(
            !hung(lost_wakeup_record(), running)
                .message()
                .contains("lost wakeup")
        );
    }

    #[test]
    fn a_forged_or_flooding_record_only_adds_capped_words() {
        let threads = vec![thread(10, 11, "t", 'S', "futex_wait_queue")];
        let flood = format!(
            r#"{{"outcome":"progress","waits":{{"threads":[{}]}}}}"#,
            vec![
                format!(
                    r#"{{"tid":11,"name":"{}[2J","waits":{{"on":{{"kind":"condvar","id":1,"created":"x","lock":1}},"at":"y","for_secs":1e300}}}}"#,
                    "n".repeat(10_000)
                );
                500
            ]
            .join(",")
        );
        let failure = hung(flood, threads.clone());
        assert!(matches!(failure, Failure::TimedOut { .. }));
        let message = failure.message();
        assert!(message.len() < 4_000, "{} bytes", message.len());
        assert!(!message.contains('\u{1b}'));
        // Not JSON, or not a snapshot: ignored.
        let message = hung("{\"waits\":[1,2]}\nnot json".into(), threads).message();
        assert!(message.contains("every thread was waiting"), "{message}");
    }

    #[test]
    fn without_threads_the_message_keeps_the_old_guess() {
        assert_eq!(explain(&[]), (None, Vec::new()));
        let failure = Failure::TimedOut {
            seconds: 5.0,
            cause: None,
            threads: Vec::new(),
        };
        assert_eq!(
            failure.message(),
            "timed out after 5 s — deadlock, missed wakeup or a forgotten join?"
        );
        // No new fields in the JSON of such a failure.
        let json = serde_json::to_string(&failure).expect("serializes");
        assert_eq!(json, r#"{"kind":"timed_out","seconds":5.0}"#);
    }
}
