//! The lesson's program, compared with its snapshot.

use assert_cmd::Command;
use threadlings_harness::Normalizer;

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
        let output = Command::new(env!("CARGO_BIN_EXE_demo"))
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("the demo should start");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the demo failed ({}); its output:\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let redacted: Vec<String> = stdout.lines().map(redact_racy_total).collect();
        let text = Normalizer::default().apply(&redacted.join("\n"));
        // Keep the snapshot in this crate's tests/snapshots, wherever the
        // workspace root is.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo_output", text));
    });
}
