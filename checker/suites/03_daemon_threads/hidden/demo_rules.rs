//! Runs the given demo (the lesson's son1/son2 program) on your runtime and checks
//! Python's rules on its output: the program lasts as long as son2, not as long as
//! main, and the daemon son1 runs the whole time, then stops.

use std::time::Duration;

use super::demo::run_demo;

/// One lesson unit: 1 s × the demo's time scale.
const UNIT: Duration = Duration::from_millis(100);
/// son1 prints every half unit while son2 runs its five units: 9 or 10 lines
/// ideally; the range is wide for busy machines.
const SON1_RANGE: std::ops::RangeInclusive<usize> = 4..=14;

#[test]
fn demo_ends_after_son2_not_at_main() {
    threadlings_harness::graded(|| {
        let run = run_demo();
        let (stdout, elapsed) = (&run.stdout, run.elapsed);
        let shown = format!("\nits output (one unit = {UNIT:?}):\n{stdout}");

        let lines: Vec<&str> = stdout.lines().collect();
        let ends: Vec<usize> = positions(&lines, |line| line.starts_with("end:"));
        assert_eq!(
            ends.len(),
            1,
            "the demo must print exactly one end line (from main, after finish()){shown}"
        );
        assert_eq!(
            ends[0],
            lines.len() - 1,
            "something was printed after the end line: once finish() returned, no daemon may \
             still be printing (son1 must have stopped when shutdown was signalled){shown}"
        );

        let son2 = positions(&lines, |line| line == "in son2");
        assert_eq!(
            son2.len(),
            5,
            "son2 is an ordinary thread printing five lines; the program must not end before \
             it has printed all five{shown}"
        );
        let main_done = positions(&lines, |line| line.starts_with("main: my own work is done"));
        assert_eq!(
            main_done.len(),
            1,
            "main's 'work is done' line must appear once{shown}"
        );
        assert!(
            main_done[0] < son2[4],
            "main finished its 3 units after son2's fifth line (5 units)?{shown}"
        );
        assert!(
            elapsed >= UNIT * 5,
            "the demo ended after {elapsed:?}, before son2's five units ({:?}): finish() must \
             wait for the ordinary thread son2, not end at main's 3 units{shown}",
            UNIT * 5
        );

        let son1 = positions(&lines, |line| line == "in son1").len();
        assert!(
            SON1_RANGE.contains(&son1),
            "son1 (a daemon printing every half unit until shutdown) printed {son1} lines; \
             expected {SON1_RANGE:?} (9 or 10 ideally): it must run during the whole 5 units \
             and be stopped once son2 is done{shown}"
        );
    });
}

/// Indices of the lines that match.
fn positions(lines: &[&str], matches: impl Fn(&str) -> bool) -> Vec<usize> {
    (0..lines.len()).filter(|&i| matches(lines[i])).collect()
}
