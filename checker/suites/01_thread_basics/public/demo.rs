//! The given demo binary, run with your spawn.rs, parallel.rs and stop.rs,
//! compared with the lesson's expected output.

use threadlings_harness::{Demo, Normalizer};

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let run = Demo::new(env!("CARGO_BIN_EXE_demo"))
            .time_scale("0.02")
            .run();
        run.assert_success();
        let text = Normalizer::default()
            .replace(
                r"returned \d+ loop iterations",
                "returned <n> loop iterations",
            )
            .apply(&run.stdout);
        threadlings_harness::assert_crate_snapshot!("demo", text);
    });
}
