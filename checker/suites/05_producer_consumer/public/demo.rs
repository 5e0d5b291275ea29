//! The lesson's program `cp(2, 3)`, run as the given binary `demo`.

use threadlings_harness::Normalizer;

#[test]
fn demo_cp_two_consumers_three_producers() {
    threadlings_harness::graded(|| {
        let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_demo"))
            .env("THREADLINGS_TIME_SCALE", "0.01")
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("the demo could not be run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "the demo failed ({}); its output:\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        // Which consumer eats which item is up to the scheduler, and so is the
        // order of the lines: hide the consumer's number, then sort.
        let text = Normalizer::empty()
            .replace(r"\balex\d+", "alex")
            .sorted()
            .apply(&stdout);
        // Keep the snapshot in this crate's tests/snapshots, wherever the workspace root is.
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
        settings.bind(|| insta::assert_snapshot!("demo", text));
    });
}
