//! The run and judge steps on small real processes: time limits kill the whole
//! process group, output is capped, and only a pass on the report counts.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use checker::confine::Policy;
use checker::judge::{self, Failure};
use checker::run::{self, Ending, OUTPUT_CAP, RunOutput, RunRequest};

/// Runs a shell script the way the runner runs a test binary (`sh SCRIPT --exact …`).
fn run_script(script: &str, timeout: Duration) -> RunOutput {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("script.sh");
    fs::write(&path, script).expect("script written");
    run::run_test(&RunRequest {
        binary: PathBuf::from("/bin/sh"),
        test: path.display().to_string(),
        cwd: dir.path().to_path_buf(),
        timeout,
        env: vec![("MARK".into(), "set".into())],
        policy: Policy {
            read: vec![dir.path().to_path_buf()],
            temp_parent: dir.path().join("run"),
            ..Policy::default()
        },
    })
    .expect("the script runs")
}

fn alive(marker: &str) -> bool {
    fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            fs::read(entry.path().join("cmdline"))
                .map(|b| String::from_utf8_lossy(&b).contains(marker))
                .unwrap_or(false)
        })
}

#[test]
fn a_hang_is_killed_at_the_limit_with_its_grandchildren() {
    let output = run_script(
        "sleep 987653 &\necho started\nsleep 600\n",
        Duration::from_millis(500),
    );
    assert_eq!(output.ending, Ending::TimedOut);
    assert_eq!(output.stdout.trim(), "started");
    assert!(
        output.elapsed < Duration::from_secs(5),
        "killed at 0.5 s, took {:?}",
        output.elapsed
    );
    // SIGKILL is delivered asynchronously; give the kernel a moment to reap.
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !alive("sleep 987653")
    });
    assert!(gone, "the grandchild survived its process group");
}

#[test]
fn a_grandchild_left_behind_by_a_finished_test_is_killed_too() {
    let output = run_script("sleep 987652 &\nexit 0\n", Duration::from_secs(10));
    assert_eq!(output.ending, Ending::Exited(0));
    assert!(output.left_running, "the leftover sleep was not noticed");
    let clean = run_script("sleep 0.01\nexit 0\n", Duration::from_secs(10));
    assert!(!clean.left_running, "a waited-for child is not a leftover");
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !alive("sleep 987652")
    });
    assert!(gone, "a leftover process outlived its test");
}

#[test]
fn output_is_capped_and_the_rest_counted() {
    let output = run_script(
        "head -c 1000000 /dev/zero | tr '\\0' x\n",
        Duration::from_secs(10),
    );
    assert_eq!(output.ending, Ending::Exited(0));
    assert_eq!(output.stdout.len(), OUTPUT_CAP);
    assert_eq!(output.dropped_bytes, 1_000_000 - OUTPUT_CAP as u64);
}

#[test]
fn exit_codes_signals_and_a_clean_environment_are_observed() {
    assert!(
        std::env::var_os("CARGO_MANIFEST_DIR").is_some(),
        "cargo gives this test process CARGO_MANIFEST_DIR; the runner must not pass it on"
    );
    let output = run_script(
        "echo \"[$MARK][$CARGO_MANIFEST_DIR]\"; exit 3\n",
        Duration::from_secs(10),
    );
    assert_eq!(output.ending, Ending::Exited(3));
    assert_eq!(output.stdout.trim(), "[set][]");
    let output = run_script("kill -ABRT $$\n", Duration::from_secs(10));
    assert_eq!(output.ending, Ending::Signaled(SIGABRT));
}

const SIGABRT: i32 = 6;

fn output(ending: Ending, stderr: &str) -> RunOutput {
    RunOutput {
        ending,
        elapsed: Duration::from_millis(10),
        stdout: String::new(),
        stderr: stderr.to_owned(),
        dropped_bytes: 0,
        left_running: false,
        report: String::new(),
        at_time_limit: Vec::new(),
    }
}

/// A run that ended as `ending` with `report` on its report socket.
fn reported(ending: Ending, stderr: &str, report: &str) -> RunOutput {
    RunOutput {
        report: report.to_owned(),
        ..output(ending, stderr)
    }
}

const LIMIT: Duration = Duration::from_secs(5);

#[test]
fn only_a_pass_on_the_report_makes_a_pass() {
    let pass = r#"{"outcome":"pass","message":null,"not_implemented":null,"notes":["ratio 1.9"]}"#;
    let verdict = judge::judge_run(&reported(Ending::Exited(0), "", pass), LIMIT);
    assert!(verdict.passed());
    assert_eq!(verdict.notes, vec!["ratio 1.9".to_owned()]);

    // The same line printed on stdout or stderr counts for nothing.
    let mut printed = output(Ending::Exited(0), pass);
    printed.stdout = format!("test result: ok\n{pass}\n");
    let verdict = judge::judge_run(&printed, LIMIT);
    assert!(
        matches!(verdict.failure, Some(Failure::Crashed { ref message }) if message.contains("process::exit"))
    );
}

#[test]
fn a_pass_that_left_a_process_running_is_a_failure() {
    let pass = r#"{"outcome":"pass","message":null,"not_implemented":null,"notes":[]}"#;
    let mut leftover = reported(Ending::Exited(0), "", pass);
    leftover.left_running = true;
    let verdict = judge::judge_run(&leftover, LIMIT);
    assert!(
        verdict
            .failure
            .is_some_and(|f| f.message().contains("left a process running"))
    );
}

#[test]
fn a_pass_followed_by_a_crash_is_a_failure() {
    let pass = r#"{"outcome":"pass","message":null,"not_implemented":null,"notes":[]}"#;
    let verdict = judge::judge_run(&reported(Ending::Signaled(6), "", pass), LIMIT);
    assert!(!verdict.passed());
}

#[test]
fn failures_name_their_cause() {
    let todo =
        r#"{"outcome":"progress","message":null,"not_implemented":"src/join.rs:12","notes":[]}"#;
    let verdict = judge::judge_run(&reported(Ending::TimedOut, "", todo), LIMIT);
    assert_eq!(
        verdict.failure.map(|f| f.message()),
        Some("not implemented yet: src/join.rs:12".into())
    );

    let verdict = judge::judge_run(&output(Ending::TimedOut, ""), LIMIT);
    assert_eq!(
        verdict.failure.map(|f| f.message()),
        Some("timed out after 5 s — deadlock, missed wakeup or a forgotten join?".into())
    );

    let child_todo =
        "thread 'main' panicked at exercises/02_join_all/src/race.rs:7:5:\nnot yet implemented\n";
    let verdict = judge::judge_run(&output(Ending::Exited(101), child_todo), LIMIT);
    assert_eq!(
        verdict.failure.map(|f| f.message()),
        Some("not implemented yet: src/race.rs:7".into())
    );

    let overflow = "thread 'x' has overflowed its stack\nfatal runtime error: stack overflow";
    let verdict = judge::judge_run(&output(Ending::Signaled(6), overflow), LIMIT);
    assert!(
        verdict
            .failure
            .map(|f| f.message())
            .is_some_and(|m| m.contains("stack overflow"))
    );
}

#[test]
fn repeated_runs_pass_only_together_and_mixed_runs_are_flaky() {
    let pass = || judge::Verdict {
        failure: None,
        notes: vec![],
    };
    let fail = || {
        judge::Verdict::failed(Failure::Assertion {
            message: "lost an item".into(),
        })
    };
    assert!(judge::combine_repeats(vec![pass(), pass(), pass()]).passed());
    let mixed = judge::combine_repeats(vec![pass(), fail(), pass()]);
    assert!(matches!(
        mixed.failure,
        Some(Failure::Flaky {
            passed: 2,
            runs: 3,
            ..
        })
    ));
    let all_failed = judge::combine_repeats(vec![fail(), fail()]);
    assert!(matches!(
        all_failed.failure,
        Some(Failure::Assertion { .. })
    ));
}

#[test]
fn a_pipe_read_that_never_ends_is_named_at_the_time_limit() {
    // The reading side of a pipe whose writer (sleep) never writes nor closes.
    let output = run_script("sleep 1000 | { read line; }\n", Duration::from_secs(2));
    assert_eq!(output.ending, Ending::TimedOut);
    let message = judge::judge_run(&output, Duration::from_secs(2))
        .failure
        .expect("a timeout fails")
        .message();
    assert!(
        message.starts_with("timed out after 2 s — a process was waiting to read a pipe"),
        "{message}"
    );
    assert!(message.contains("\"sh\""), "{message}");
    assert!(message.contains("waiting to read a pipe"), "{message}");
    assert!(message.contains("\"sleep\""), "{message}");
}
