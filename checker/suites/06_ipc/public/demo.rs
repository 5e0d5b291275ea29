//! The lesson's demo, run as a program and compared with its snapshot.

use std::time::Duration;

use assert_cmd::Command;
use threadlings_harness::Normalizer;

/// When the demo hit a `todo!()`, fails the way every unfinished exercise fails.
fn fail_if_unfinished(stderr: &str) {
    if !stderr.contains("not yet implemented") {
        return;
    }
    // "thread 'main' panicked at src/pipe.rs:22:5:\nnot yet implemented"
    let place = stderr
        .split("panicked at ")
        .nth(1)
        .and_then(|rest| rest.split(":\n").next())
        .unwrap_or("an unknown place");
    let place = place
        .rsplit_once(':')
        .map_or(place, |(file_and_line, _column)| file_and_line);
    let place = place.rfind("/src/").map_or(place, |i| &place[i + 1..]);
    panic!("not implemented yet: {place} (reached in the demo process)");
}

/// The demo's line "N processes x M increments: counter = C (expected E)" must have C == E.
fn check_shared_counter(stdout: &str) {
    let Some(line) = stdout.lines().find(|line| line.contains("counter = ")) else {
        return; // the snapshot comparison shows what is missing
    };
    let numbers: Vec<&str> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .collect();
    if let [.., counter, expected] = numbers[..] {
        assert!(
            counter == expected,
            "the demo's shared-memory counter is {counter}, not {expected}: updates were lost. \
             Is shm_add's increment one indivisible fetch_add? ({line})"
        );
    }
}

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let output = Command::new(env!("CARGO_BIN_EXE_demo"))
            .arg(env!("CARGO_BIN_EXE_ipc_worker"))
            .timeout(Duration::from_secs(30))
            .output()
            .expect("the test could not run the demo");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        fail_if_unfinished(&stderr);
        assert!(
            output.status.success(),
            "the demo ended with {}; its stderr:\n{stderr}",
            output.status
        );
        check_shared_counter(&stdout);
        let text = Normalizer::default().apply(&stdout);
        // The snapshot sits in tests/snapshots of this crate, wherever the crate is built.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo", text));
    });
}
