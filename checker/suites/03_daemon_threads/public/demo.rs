//! Runs the given demo (the lesson's son1/son2 program) on your runtime and compares
//! its normalised transcript with the snapshot.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use threadlings_harness::{Demo, DemoRun, Normalizer};

/// One lesson unit is 1 s × this scale: 100 ms, so the demo takes about half a second.
const TIME_SCALE: &str = "0.1";
/// Longer than any correct run could take, even on a busy machine.
const DEMO_TIME_LIMIT: Duration = Duration::from_secs(15);

/// Runs the demo and fails the test unless it ended by itself with success (the
/// hidden demo rules run it the same way).
pub(crate) fn run_demo() -> DemoRun {
    let run = Demo::new(env!("CARGO_BIN_EXE_demo"))
        .time_scale(TIME_SCALE)
        .time_limit(DEMO_TIME_LIMIT)
        .run();
    threadlings_harness::fail_if_unfinished(&run.stderr, "the demo process");
    let DemoRun {
        status,
        stdout,
        stderr,
        elapsed,
        ..
    } = &run;
    assert!(
        run.timed_out.is_none(),
        "the demo did not end within {DEMO_TIME_LIMIT:?} (it needs about 0.5 s): does \
         finish() wait forever, for a daemon perhaps?\nstdout:\n{stdout}"
    );
    assert!(
        status.success(),
        "the demo exited with {status} after {elapsed:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    run
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
        let run = run_demo();
        let transcript = transcript(&run.stdout);
        threadlings_harness::assert_crate_snapshot!("demo_transcript", transcript);
    });
}
