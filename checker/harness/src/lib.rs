//! The test-side half of the threadlings grader.
//!
//! Every suite test wraps its body in [`graded`]:
//!
//! ```ignore
//! #[test]
//! fn results_come_back_in_task_order() {
//!     threadlings_harness::graded(|| {
//!         assert_eq!(join_all::join_all(tasks), vec![1, 2, 3]);
//!     });
//! }
//! ```
//!
//! When the checker runs a test it hands the process the write end of a Unix
//! socket (see [`protocol::REPORT_FD_ENV`]), which the harness claims before
//! `main` so that no process started by the code under test inherits it. Only
//! after the body returned without panicking does [`graded`] write a `pass` line
//! to it, so a test that calls `process::exit(0)`, aborts or prints fake
//! `test result: ok` lines never counts as passed.
//!
//! Outside the checker (plain `cargo test`) there is no channel and [`graded`]
//! simply runs the body.

mod child;
mod children;
pub mod cpu;
mod demo;
pub mod model;
mod normalize;
mod panic_capture;
pub mod protocol;
mod report;
mod seeds;
pub mod timeline;
mod watchdog;

pub use child::{fail_if_unfinished, todo_location};
pub use children::{UnwaitedChild, unwaited_child};
pub use cpu::TwoCoreProbe;
pub use demo::{Demo, DemoRun};
pub use normalize::Normalizer;
pub use panic_capture::payload_text;
pub use report::{graded, note};
pub use seeds::{replay_hint, with_seeds};
pub use watchdog::within;

/// The lesson's time unit scaled by `THREADLINGS_TIME_SCALE` (default 1.0).
pub fn time_scale() -> f64 {
    std::env::var(protocol::env::TIME_SCALE)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0)
}
