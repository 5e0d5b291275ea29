//! The lesson's demo program (src/bin/demo.rs) compared with its snapshot.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use threadlings_harness::Normalizer;

/// Where `not yet implemented` was hit in the demo's stderr, as `src/join.rs:24`.
fn todo_location(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).find_map(|pair| {
        if !pair[1].starts_with("not yet implemented") {
            return None;
        }
        // "thread 'main' panicked at src/join.rs:24:5:"
        let place = pair[0].split(" panicked at ").nth(1)?.trim_end_matches(':');
        let mut parts = place.rsplitn(3, ':');
        let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
        let file = file.replace('\\', "/");
        let file = match file.rfind("/src/") {
            Some(i) => &file[i + 1..],
            None => &file,
        };
        Some(format!("{file}:{line}"))
    })
}

/// Runs the demo and returns its exit status, stdout and stderr.
///
/// The output goes to files rather than pipes, so the test waits for the demo
/// itself and not for some process it started that still holds a pipe open.
fn run_demo() -> (ExitStatus, String, String) {
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let stdout_path = dir.join(format!("threadlings-join_all-demo-{id}.stdout"));
    let stderr_path = dir.join(format!("threadlings-join_all-demo-{id}.stderr"));
    let create =
        |path: &Path| File::create(path).expect("could not create a file for the demo's output");
    let status = Command::new(env!("CARGO_BIN_EXE_demo"))
        .env("THREADLINGS_TIME_SCALE", "0.2")
        .stdin(Stdio::null())
        .stdout(create(&stdout_path))
        .stderr(create(&stderr_path))
        .status()
        .expect("could not run the demo binary");
    let take = |path: &Path| {
        let bytes = fs::read(path).unwrap_or_default();
        let _ = fs::remove_file(path);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (status, take(&stdout_path), take(&stderr_path))
}

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let (status, stdout, stderr) = run_demo();
        if !status.success() {
            if let Some(location) = todo_location(&stderr) {
                panic!("not implemented yet: {location} (the demo calls it)");
            }
            panic!("the demo failed ({status}).\nIts output:\n{stdout}\nIts errors:\n{stderr}");
        }
        let text = Normalizer::default().apply(&stdout);
        // Keep the snapshot in this crate's tests/snapshots, wherever the
        // workspace root is.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo", text));
    });
}
