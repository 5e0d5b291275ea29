//! The lesson's program, compared with its snapshot.

use threadlings_harness::{Demo, Normalizer};

/// The racy counter's total is a matter of luck: any value up to the expected
/// one is replaced by a placeholder (a run that happens to lose nothing is
/// possible in principle, so the placeholder says so).
fn redact_racy_total(line: &str) -> String {
    let Some(rest) = line.strip_prefix("RacyCounter:") else {
        return line.to_string();
    };
    let numbers: Vec<u64> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    let [got, expected, ..] = numbers[..] else {
        panic!("the demo's RacyCounter line should read 'got N of M': {line:?}");
    };
    assert!(
        got <= expected,
        "the demo's RacyCounter reached {got}, more than the {expected} adds: {line:?}"
    );
    format!(
        "RacyCounter:   got <less than expected, or equal on a rare run> of {expected} \
         (load, then store: <some> updates lost)"
    )
}

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let run = Demo::new(env!("CARGO_BIN_EXE_demo")).run();
        run.assert_success();
        let redacted: Vec<String> = run.stdout.lines().map(redact_racy_total).collect();
        let text = Normalizer::default().apply(&redacted.join("\n"));
        threadlings_harness::assert_crate_snapshot!("demo_output", text);
    });
}
