//! The threadlings grading engine.
//!
//! One path for every implementation, whether it comes from `exercises/`,
//! `solutions/` or a student's submission:
//!
//! 1. [`assemble`]: a sandbox crate from the canonical topic crate, the source's
//!    student files only, and the suite's tests and snapshots;
//! 2. [`compile`]: build once per topic and source, offline, dependencies shared;
//! 3. [`run`]: every test in its own process group, time-limited, output capped,
//!    confined by [`confine`] (Landlock, no_new_privs, nothing left behind);
//! 4. [`judge`]: exit status plus the harness's report, which travels on a socket
//!    the code under test cannot reach; never printed text;
//! 5. [`report`]: human, JSON and the grading formats; a failing run's event
//!    log, when its test handed one over, is drawn by [`timeline`].
//!
//! [`check::check`] runs the whole pipeline.

pub mod assemble;
pub mod bless;
pub mod check;
pub mod check_result;
pub mod compile;
pub mod confine;
pub mod grading;
pub mod hints;
pub mod judge;
pub mod lock_rule;
pub mod manifest;
pub mod markup;
pub mod parallel;
pub mod project;
pub mod report;
pub mod results;
pub mod reuse;
pub mod run;
pub mod sandbox;
pub mod skeletons;
pub mod source;
mod test_run;
pub mod timeline;

pub use check::{CheckOptions, CheckReport, Progress, Reuse, TestResult, TopicResult, check};
pub use project::{Project, Topic};
pub use source::Source;
