//! The lesson's program `cp(2, 3)`, run as the given binary `demo`.

use threadlings_harness::{Demo, Normalizer};

#[test]
fn demo_cp_two_consumers_three_producers() {
    threadlings_harness::graded(|| {
        let run = Demo::new(env!("CARGO_BIN_EXE_demo"))
            .time_scale("0.01")
            .run();
        run.assert_success();
        // Which consumer eats which item is up to the scheduler, and so is the
        // order of the lines: hide the consumer's number, then sort.
        let text = Normalizer::empty()
            .replace(r"\balex\d+", "alex")
            .sorted()
            .apply(&run.stdout);
        threadlings_harness::assert_crate_snapshot!("demo", text);
    });
}
