//! The given demo binary, run with your spawn.rs, parallel.rs and stop.rs,
//! compared with the lesson's expected output.

use assert_cmd::Command;
use threadlings_harness::Normalizer;

/// Where the demo hit a `todo!()`, as `src/spawn.rs:24`, read from its stderr.
fn todo_location(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).find_map(|pair| {
        if !pair[1].starts_with("not yet implemented") {
            return None;
        }
        let place = pair[0].split(" panicked at ").nth(1)?.trim_end_matches(':');
        let start = place.rfind("src/").unwrap_or(0);
        let place = &place[start..];
        // Drop the column: `src/spawn.rs:24:5` becomes `src/spawn.rs:24`.
        let place = place.rsplit_once(':').map_or(place, |(rest, _)| rest);
        Some(place.to_owned())
    })
}

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let output = Command::new(env!("CARGO_BIN_EXE_demo"))
            .env("THREADLINGS_TIME_SCALE", "0.02")
            .output()
            .expect("could not run the demo binary");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(place) = todo_location(&stderr) {
            panic!("not implemented yet: {place} (reached by the demo binary)");
        }
        assert!(
            output.status.success(),
            "the demo exited with {}; its output:\n{stdout}\n{stderr}",
            output.status
        );
        let text = Normalizer::default()
            .replace(
                r"returned \d+ loop iterations",
                "returned <n> loop iterations",
            )
            .apply(&stdout);
        // Keep the snapshot in this crate's tests/snapshots, wherever the
        // workspace root is.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo", text));
    });
}
