//! Public tests of the given `ipc_worker` binary, run as a real child process: it
//! calls your `serve_squares` and `shm_add`, so these test them as a parent sees them.

use std::process::Output;

use assert_cmd::Command;

/// Runs `ipc_worker args...` with `stdin` as its whole input.
fn run_worker(args: &[&str], stdin: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipc_worker"))
        .args(args)
        .write_stdin(stdin)
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .expect("the test could not run ipc_worker")
}

/// When the worker hit a `todo!()`, fails the way every unfinished exercise fails.
fn fail_if_unfinished(stderr: &str) {
    threadlings_harness::fail_if_unfinished(stderr, "the ipc_worker child process");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn worker_squares_numbers_from_stdin() {
    threadlings_harness::graded(|| {
        let output = run_worker(&["squares"], "2\n3\n 4\r\n");
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        fail_if_unfinished(&stderr);
        assert!(
            output.status.success(),
            "`ipc_worker squares` with input \"2\\n3\\n 4\\r\\n\" ended with {} and stderr \
             {stderr:?}; serve_squares should have returned Ok(())",
            output.status
        );
        assert_eq!(
            stdout, "4\n9\n16\n",
            "`ipc_worker squares` must print one square per input line"
        );
    });
}

#[test]
fn worker_reports_a_bad_line_and_exits_1() {
    threadlings_harness::graded(|| {
        let output = run_worker(&["squares"], "1\nx\n3\n");
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        fail_if_unfinished(&stderr);
        assert!(
            !stderr.contains("panicked"),
            "the worker panicked on the input \"1\\nx\\n3\\n\": serve_squares must return an \
             InvalidData error for a bad line, not panic (no unwrap on user input). stderr: {stderr}"
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "on a bad line the worker must exit with code 1 (serve_squares returns Err); \
             it ended with {}",
            output.status
        );
        assert_eq!(
            stdout, "1\n",
            "the worker must answer line 1 before it fails on line 2"
        );
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        assert!(
            lines.len() == 1 && lines[0].contains("line 2"),
            "the worker must print one error line naming \"line 2\"; its stderr was {stderr:?}"
        );
    });
}

#[test]
fn worker_rejects_bad_arguments_and_missing_segments() {
    threadlings_harness::graded(|| {
        let missing = format!("/threadlings_no_such_segment_{}", std::process::id());
        let output = run_worker(&["shm-add", &missing, "5"], "");
        let stderr = text(&output.stderr);
        fail_if_unfinished(&stderr);
        assert!(
            !stderr.contains("panicked"),
            "`ipc_worker shm-add {missing} 5` panicked: shm_add must return IpcError::Shm when \
             the segment cannot be opened. stderr: {stderr}"
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "`ipc_worker shm-add {missing} 5` (no such segment) must exit with code 1, it ended \
             with {}; stderr: {stderr:?}",
            output.status
        );
        assert!(
            stderr.trim().lines().count() == 1 && stderr.contains(missing.trim_start_matches('/')),
            "`ipc_worker shm-add {missing} 5` must print one error line naming the segment; its \
             stderr was {stderr:?}"
        );

        let bad_arguments: [&[&str]; 5] = [
            &[],
            &["cube"],
            &["squares", "extra"],
            &["shm-add", "/segment"],
            &["shm-add", "/segment", "many"],
        ];
        for args in bad_arguments {
            let output = run_worker(args, "");
            let stderr = text(&output.stderr);
            assert!(
                output.status.code() == Some(2) && stderr.contains("usage"),
                "`ipc_worker {}` must print its usage and exit with code 2; it ended with {} \
                 and stderr {stderr:?}",
                args.join(" "),
                output.status
            );
        }
    });
}
