//! The lesson's demo, run as a program and compared with its snapshot.

use threadlings_harness::{Demo, Normalizer};

/// The demo's line "N processes x M increments: counter = C (expected E)" must have C == E.
fn check_shared_counter(stdout: &str) {
    let Some(line) = stdout.lines().find(|line| line.contains("counter = ")) else {
        return; // the snapshot comparison shows what is missing
    };
    let numbers: Vec<&str> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .collect();
    if let [.., counter, expected] = numbers[..] {
        assert!(
            counter == expected,
            "the demo's shared-memory counter is {counter}, not {expected}: updates were lost. \
             Is shm_add's increment one indivisible fetch_add? ({line})"
        );
    }
}

#[test]
fn demo_output_matches_snapshot() {
    threadlings_harness::graded(|| {
        let run = Demo::new(env!("CARGO_BIN_EXE_demo"))
            .arg(env!("CARGO_BIN_EXE_ipc_worker"))
            .run();
        run.assert_success();
        check_shared_counter(&run.stdout);
        let text = Normalizer::default().apply(&run.stdout);
        threadlings_harness::assert_crate_snapshot!("demo", text);
    });
}
