//! The contract between the threadlings checker (the grader) and the test
//! harness (`threadlings-harness`, linked into every suite test binary).
//!
//! Both sides depend on this crate and nothing else defines these names:
//!
//! - [`env`]: every environment variable the checker sets for a test process
//!   and the harness (or insta) reads; [`TestEnv`] is the typed set of them a
//!   check passes to one test;
//! - [`ReportLine`] and [`Outcome`]: what the harness writes, one JSON object a
//!   line, on the report socket named by [`REPORT_FD_ENV`]; the checker's judge
//!   step deserialises these very types;
//! - [`MESSAGE_CAP`] and [`cap_message`]: the longest failure message sent;
//! - [`Timeline`]: the event log of a failing run a test may attach to its
//!   `fail` line, which the checker draws as a picture (never a verdict);
//! - [`todo_location`]: where a process's panic report says it reached a
//!   `todo!()` (an unfinished exercise, not a failure).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
pub use threadlings_waitgraph::Snapshot;
pub use unfinished::{TODO_MESSAGE, crate_relative, todo_location};

mod unfinished;

/// Names of the environment variables of a test process.
pub mod env {
    /// The number of the inherited descriptor (a Unix socket) the report is
    /// written to. Set by the checker for every test process.
    pub const REPORT_FD: &str = "THREADLINGS_REPORT_FD";
    /// [`REPORT_FD`] as a C string, for `getenv` before `main`.
    pub const REPORT_FD_C: &std::ffi::CStr = c"THREADLINGS_REPORT_FD";
    /// The topic's directory name (`02_join_all`), for messages such as a replay hint.
    pub const TOPIC: &str = "THREADLINGS_TOPIC";
    /// Pins seeded tests to one seed.
    pub const SEED: &str = "THREADLINGS_SEED";
    /// A model-checking schedule to replay.
    pub const REPLAY: &str = "THREADLINGS_REPLAY";
    /// Milliseconds after which the harness reports who waits on what (the
    /// instrumented locks' [`crate::Snapshot`]) once, shortly before the test's
    /// time limit: what a hang leaves behind to explain itself.
    pub const WAITS_AT_MS: &str = "THREADLINGS_WAITS_AT_MS";
    /// Scales the lessons' time unit (a demo's child process gets it too).
    pub const TIME_SCALE: &str = "THREADLINGS_TIME_SCALE";
    /// insta: the folder `file!()` paths are relative to (the sandbox workspace).
    pub const INSTA_WORKSPACE_ROOT: &str = "INSTA_WORKSPACE_ROOT";
    /// insta: whether snapshots may be written (`no` unless blessing).
    pub const INSTA_UPDATE: &str = "INSTA_UPDATE";
    /// insta: whether a mismatch passes anyway (`0` unless blessing).
    pub const INSTA_FORCE_PASS: &str = "INSTA_FORCE_PASS";
}

/// Environment variable holding the report descriptor's number (see [`env::REPORT_FD`]).
pub const REPORT_FD_ENV: &str = env::REPORT_FD;

/// Longest message the harness sends (longer ones are cut, with a marker).
pub const MESSAGE_CAP: usize = 32 * 1024;

/// `message`, cut to [`MESSAGE_CAP`] bytes at a character boundary, with a marker.
pub fn cap_message(mut message: String) -> String {
    if message.len() > MESSAGE_CAP {
        let mut end = MESSAGE_CAP;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str("\n… (message cut)");
    }
    message
}

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
    /// The event log of the failing run, when the test kept one (see
    /// [`Timeline`]). Absent from the JSON when `None`; a malformed one reads
    /// back as `None`, so it can never cost the line (and the verdict).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_timeline"
    )]
    pub timeline: Option<Timeline>,
    /// Who waited on what shortly before the time limit (a progress line; see
    /// [`env::WAITS_AT_MS`]). Written by the process under test: untrusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waits: Option<Snapshot>,
}

/// Most events a [`Timeline`] carries (the harness keeps those around the
/// offending ones; the checker drops any beyond).
pub const TIMELINE_EVENT_CAP: usize = 400;
/// Most lanes a timeline is drawn with (the checker folds the rest into one).
pub const TIMELINE_LANE_CAP: usize = 16;
/// Longest lane name or event label, in characters (longer ones are cut).
pub const TIMELINE_TEXT_CAP: usize = 60;

/// The event log of a failing run, for a picture: one lane per thread or
/// process, events in log order, the events that broke the invariant marked.
///
/// Every string in it may come from the code under test (a thread name, an
/// item): the checker treats all of it as untrusted text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Timeline {
    /// The events kept, in log order (at most [`TIMELINE_EVENT_CAP`]).
    pub events: Vec<TimelineEvent>,
    /// Log positions ([`TimelineEvent::index`]) of the events that broke the invariant.
    #[serde(default)]
    pub offending: Vec<u64>,
    /// How many events the whole log had (more than `events.len()` when some were left out).
    #[serde(default)]
    pub total: u64,
}

/// One event of a [`Timeline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// Its position in the whole log (0-based).
    pub index: u64,
    /// The thread or process that logged it (`producer 1`).
    pub lane: String,
    /// What happened (`Produced p1-0`).
    pub label: String,
}

/// Reads a timeline, or `None` if it is not one: the timeline is a picture, so
/// a malformed one must not make the whole report line unreadable.
fn lenient_timeline<'de, D>(deserializer: D) -> Result<Option<Timeline>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Lenient {
        Good(Timeline),
        Bad(serde::de::IgnoredAny),
    }
    Ok(match Option::<Lenient>::deserialize(deserializer)? {
        Some(Lenient::Good(timeline)) => Some(timeline),
        _ => None,
    })
}

/// What a check tells one test process, on top of the runner's clean base
/// environment (which locks insta: [`env::INSTA_UPDATE`] `no`,
/// [`env::INSTA_FORCE_PASS`] `0`) and the report descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestEnv {
    /// The topic's directory name ([`env::TOPIC`]).
    pub topic: String,
    /// The sandbox workspace, where insta resolves `file!()` and finds
    /// snapshots ([`env::INSTA_WORKSPACE_ROOT`]).
    pub workspace_root: PathBuf,
    /// One seed for every seeded test ([`env::SEED`]).
    pub seed: Option<u64>,
    /// A model-checking schedule to replay ([`env::REPLAY`]).
    pub replay: Option<String>,
    /// Let insta write snapshots and pass (authors' `bless`).
    pub bless: bool,
    /// When to report who waits on what ([`env::WAITS_AT_MS`]): shortly before
    /// the time limit, for topics whose locks record it.
    pub waits_at: Option<std::time::Duration>,
}

impl TestEnv {
    /// The variables, in the order they are set.
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            (env::TOPIC.to_owned(), self.topic.clone()),
            (
                env::INSTA_WORKSPACE_ROOT.to_owned(),
                self.workspace_root.display().to_string(),
            ),
        ];
        if let Some(seed) = self.seed {
            vars.push((env::SEED.to_owned(), seed.to_string()));
        }
        if let Some(replay) = &self.replay {
            vars.push((env::REPLAY.to_owned(), replay.clone()));
        }
        if let Some(at) = self.waits_at {
            vars.push((env::WAITS_AT_MS.to_owned(), at.as_millis().to_string()));
        }
        if self.bless {
            vars.push((env::INSTA_UPDATE.to_owned(), "always".to_owned()));
            vars.push((env::INSTA_FORCE_PASS.to_owned(), "1".to_owned()));
        }
        vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_name_is_the_rust_name() {
        assert_eq!(env::REPORT_FD_C.to_str(), Ok(env::REPORT_FD));
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let cut = cap_message("é".repeat(MESSAGE_CAP));
        assert!(cut.len() < MESSAGE_CAP + 32);
        assert!(cut.ends_with("(message cut)"));
        assert_eq!(cap_message("short".into()), "short");
    }

    #[test]
    fn a_report_line_reads_back_and_omitted_fields_default() {
        let line = ReportLine {
            outcome: Outcome::Fail,
            message: Some("boom".into()),
            not_implemented: Some("src/join.rs:12".into()),
            notes: vec!["a note".into()],
            timeline: None,
            waits: Some(Snapshot::default()),
        };
        let json = serde_json::to_string(&line).expect("serialises");
        assert_eq!(
            serde_json::from_str::<ReportLine>(&json).expect("parses"),
            line
        );
        let bare: ReportLine = serde_json::from_str(r#"{"outcome":"pass"}"#).expect("parses");
        assert_eq!(bare.outcome, Outcome::Pass);
        assert!(bare.message.is_none() && bare.notes.is_empty());
        assert!(bare.timeline.is_none());
        assert!(!json.contains("timeline"), "{json}");
    }

    #[test]
    fn a_timeline_reads_back_and_a_malformed_one_keeps_the_line() {
        let line = ReportLine {
            outcome: Outcome::Fail,
            message: Some("event 3 broke it".into()),
            not_implemented: None,
            notes: Vec::new(),
            waits: None,
            timeline: Some(Timeline {
                events: vec![TimelineEvent {
                    index: 3,
                    lane: "consumer 0".into(),
                    label: "Consumed p0-0".into(),
                }],
                offending: vec![3],
                total: 4,
            }),
        };
        let json = serde_json::to_string(&line).expect("serialises");
        assert_eq!(
            serde_json::from_str::<ReportLine>(&json).expect("parses"),
            line
        );
        for bad in [r#""timeline":7"#, r#""timeline":{"events":[{"index":-1}]}"#] {
            let text = format!(r#"{{"outcome":"fail","message":"m",{bad}}}"#);
            let read: ReportLine = serde_json::from_str(&text).expect("the line still parses");
            assert_eq!(read.outcome, Outcome::Fail);
            assert_eq!(read.message.as_deref(), Some("m"));
            assert!(read.timeline.is_none());
        }
    }

    #[test]
    fn bless_and_pins_add_their_variables() {
        let mut test_env = TestEnv {
            topic: "02_join_all".into(),
            workspace_root: PathBuf::from("/w"),
            seed: None,
            replay: None,
            bless: false,
            waits_at: None,
        };
        assert_eq!(
            test_env.vars(),
            [
                (env::TOPIC.to_owned(), "02_join_all".to_owned()),
                (env::INSTA_WORKSPACE_ROOT.to_owned(), "/w".to_owned())
            ]
        );
        test_env.seed = Some(7);
        test_env.replay = Some("abc".into());
        test_env.bless = true;
        test_env.waits_at = Some(std::time::Duration::from_secs(9));
        let names: Vec<String> = test_env.vars().into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            names,
            [
                env::TOPIC,
                env::INSTA_WORKSPACE_ROOT,
                env::SEED,
                env::REPLAY,
                env::WAITS_AT_MS,
                env::INSTA_UPDATE,
                env::INSTA_FORCE_PASS
            ]
        );
    }
}
