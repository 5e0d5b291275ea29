//! The completion report: the one channel through which a test can say "passed".

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

use crate::panic_capture;

/// Environment variable naming the file that holds this run's one-time token.
pub const TOKEN_FILE_ENV: &str = "THREADLINGS_TOKEN_FILE";
/// Environment variable naming the file the report is appended to.
pub const REPORT_FILE_ENV: &str = "THREADLINGS_REPORT_FILE";

/// One line of the report file, read back by the checker's judge step.
#[derive(serde::Serialize)]
struct ReportLine<'a> {
    token: &'a str,
    outcome: &'a str,
    message: Option<String>,
    not_implemented: Option<String>,
    notes: Vec<String>,
}

/// Notes a passing test attaches to its verdict (for example "skipped: 1 core").
static NOTES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Attaches a note to this test's verdict, shown beside it in every report.
///
/// Use it for a measured ratio, or to explain why a performance test passed
/// without measuring (fewer cores than it needs).
pub fn note(text: impl Into<String>) {
    let text = text.into();
    eprintln!("note: {text}");
    if let Ok(mut notes) = NOTES.lock() {
        notes.push(text);
    }
}

fn take_notes() -> Vec<String> {
    NOTES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// Runs one graded test body.
///
/// The token is taken (and its file deleted) before `body` runs; it is written
/// to the report only if `body` returns normally. A panic is recorded as a
/// failure with a message a student can act on, then resumed so libtest sees it.
pub fn graded(body: impl FnOnce()) {
    let token = take_token();
    if let Some(token) = &token {
        let _ = TOKEN.set(token.clone());
    }
    panic_capture::install();
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    let Some(token) = token else {
        if let Err(payload) = result {
            panic::resume_unwind(payload);
        }
        return;
    };
    match result {
        Ok(()) => write_report(&ReportLine {
            token: &token,
            outcome: "pass",
            message: None,
            not_implemented: None,
            notes: take_notes(),
        }),
        Err(payload) => {
            let message = panic_capture::payload_text(payload.as_ref());
            write_report(&ReportLine {
                token: &token,
                outcome: "fail",
                message: Some(panic_capture::describe_failure(&message)),
                not_implemented: panic_capture::first_todo_location(),
                notes: take_notes(),
            });
            panic::resume_unwind(payload);
        }
    }
}

/// This run's token, for reports written from the panic hook.
static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Reports at once that a `todo!()` was reached, so even a test that then hangs
/// (a thread died before it could answer) names the unimplemented function.
pub(crate) fn report_todo(location: &str) {
    if let Some(token) = TOKEN.get() {
        write_report(&ReportLine {
            token,
            outcome: "progress",
            message: None,
            not_implemented: Some(location.to_owned()),
            notes: Vec::new(),
        });
    }
}

/// Reads the one-time token and removes its file so code under test cannot find it.
fn take_token() -> Option<String> {
    let path = std::env::var_os(TOKEN_FILE_ENV)?;
    let token = fs::read_to_string(&path).ok()?;
    // Best effort: if removal fails the checker still removes the file after the run.
    let _ = fs::remove_file(&path);
    Some(token.trim().to_owned())
}

fn write_report(line: &ReportLine<'_>) {
    let Some(path) = std::env::var_os(REPORT_FILE_ENV) else {
        return;
    };
    let Ok(mut json) = serde_json::to_string(line) else {
        return;
    };
    json.push('\n');
    if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(path) {
        // A failed write means no pass is recorded, which is the safe outcome.
        let _ = file.write_all(json.as_bytes());
    }
}
