//! The lesson's demo program (src/bin/demo.rs) compared with its snapshot.

use threadlings_harness::{Demo, Normalizer};

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let run = Demo::new(env!("CARGO_BIN_EXE_demo"))
            .time_scale("0.2")
            .run();
        run.assert_success();
        let text = Normalizer::default().apply(&run.stdout);
        threadlings_harness::assert_crate_snapshot!("demo", text);
    });
}
