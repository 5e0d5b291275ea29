//! What the harness tells the checker: one JSON object per line on the report
//! channel. The contract lives in the `threadlings-protocol` crate, which the
//! checker's judge step uses too, so both sides always agree on the format;
//! this module re-exports it under its historical path.

pub use threadlings_protocol::{
    MESSAGE_CAP, Outcome, REPORT_FD_ENV, ReportLine, TIMELINE_EVENT_CAP, TIMELINE_LANE_CAP,
    TIMELINE_TEXT_CAP, TestEnv, Timeline, TimelineEvent, cap_message, env,
};
