//! What the harness tells the checker: one JSON object per line on the report
//! channel. The checker's judge step deserialises these very types, so both
//! sides always agree on the format.

use serde::{Deserialize, Serialize};

/// Environment variable holding the number of the inherited descriptor (a Unix
/// socket) the report is written to. Set by the checker for every test process.
pub const REPORT_FD_ENV: &str = "THREADLINGS_REPORT_FD";

/// Longest message the harness sends (longer ones are cut, with a marker).
pub const MESSAGE_CAP: usize = 32 * 1024;

/// What a report line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The test body returned: its assertions passed.
    Pass,
    /// The test body panicked.
    Fail,
    /// Not a verdict: something learnt on the way (a `todo!()` was reached).
    Progress,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportLine {
    /// Pass, fail or progress.
    pub outcome: Outcome,
    /// The failure message a student reads.
    #[serde(default)]
    pub message: Option<String>,
    /// Where the first `todo!()` was hit (`src/join.rs:12`).
    #[serde(default)]
    pub not_implemented: Option<String>,
    /// Notes the test attached (a measured ratio, a skip reason).
    #[serde(default)]
    pub notes: Vec<String>,
}
