//! Runs the given demo (the lesson's son1/son2 program) on your runtime and compares
//! its normalised transcript with the snapshot.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use threadlings_harness::Normalizer;

/// One lesson unit is 1 s × this scale: 100 ms, so the demo takes about half a second.
const TIME_SCALE: &str = "0.1";
/// Longer than any correct run could take, even on a busy machine.
const DEMO_TIME_LIMIT: Duration = Duration::from_secs(15);

/// Runs the demo; returns its exit status, stdout, stderr and how long it ran.
fn run_demo() -> (std::process::ExitStatus, String, String, Duration) {
    let started = Instant::now();
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_demo"))
        .env("THREADLINGS_TIME_SCALE", TIME_SCALE)
        .timeout(DEMO_TIME_LIMIT)
        .output()
        .expect("could not run the demo binary");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status, stdout, stderr, started.elapsed())
}

/// The transcript without its interleaving: the first line, how many times each other
/// line was printed in between, and the last line. son1's count varies from run to run,
/// so any count in its legal range (9 or 10 ideally) is shown as the range itself.
fn transcript(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let (first, last) = match lines.as_slice() {
        [] => ("<no output>", "<no output>"),
        [only] => (*only, "<no other line>"),
        [first, .., last] => (*first, *last),
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in lines.iter().skip(1).take(lines.len().saturating_sub(2)) {
        *counts.entry(line).or_default() += 1;
    }
    let mut text = format!("first: {first}\nthen, in any order:\n");
    for (line, count) in counts {
        writeln!(text, "    {count} × {line}").unwrap();
    }
    writeln!(text, "last: {last}").unwrap();
    Normalizer::empty()
        .replace(r"^    ([4-9]|1[0-4]) × in son1$", "    4 to 14 × in son1")
        .apply(&text)
}

#[test]
fn demo_transcript_matches_snapshot() {
    threadlings_harness::graded(|| {
        let (status, stdout, stderr, elapsed) = run_demo();
        assert!(
            elapsed < DEMO_TIME_LIMIT,
            "the demo did not end within {DEMO_TIME_LIMIT:?} (it needs about 0.5 s): does \
             finish() wait forever, for a daemon perhaps?\nstdout:\n{stdout}"
        );
        assert!(
            status.success(),
            "the demo exited with {status} after {elapsed:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        let transcript = transcript(&stdout);
        // Keep the snapshot in this crate's tests/snapshots, wherever the workspace
        // root is.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo_transcript", transcript));
    });
}
