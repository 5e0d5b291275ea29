//! The lock rule of the model-checking tier.
//!
//! The model checker (shuttle) replaces `crate::sync`'s `Mutex` and `Condvar`
//! with its own and explores the interleavings of those only. A model-tier
//! student file (`counter.rs`, `bank.rs`, `queue.rs`: the `model_files` of a
//! topic's manifest) that locks, waits or spins with anything else runs under
//! the model checker without any interleaving being explored, and would get
//! the tier's points for nothing.
//!
//! So the model-checking build compiles the topic crate's library with
//! clippy-driver (see [`crate::compile::wrapper::LockRule`]): the compiler's
//! own name resolution finds every use of an item listed in
//! `checker/lock_rule/clippy.toml`, however it is spelled (`use std as s;`,
//! `::std::sync::Mutex`, a local `macro_rules!`), and `--force-warn` keeps a
//! student's `#![allow(...)]` from hiding it. This module turns the compiler's
//! diagnostics into [`LockFinding`]s and findings into verdicts: a model test
//! fails, without running, when a finding concerns one of its `model_files`.
//!
//! Attribution is per file. A finding counts against a model-tier file when
//! any of its places is in that file: the use itself, the call site of the
//! macro that produced it, or the `mod` item that loads a file a second time
//! (`#[path = "word_count.rs"] mod x;` in `bank.rs`, which reaches
//! `word_count.rs`'s legitimate std `Mutex`). A finding none of whose places is
//! in a student file nor in the given library's own modules (a given binary,
//! `src/bin/demo.rs`, loaded by `#[path]`) counts against every model-tier
//! file: the checker cannot tell which file loaded it. Findings only in other
//! student files (`word_count.rs`'s shared `Mutex<HashMap>`) or in the given
//! library (`lib.rs`'s racy counter yields) are legitimate and ignored.

use std::path::Path;

use serde_json::Value;

use crate::judge::{Failure, Verdict};

/// The diagnostic of a lock rule lint, reduced to what the verdict needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockFinding {
    /// What the code uses (`std::sync::Mutex`), or what it does
    /// (`loads src/word_count.rs as a module a second time`).
    pub what: String,
    /// Every place of the crate it involves, as (`src/bank.rs`, line): the use
    /// first, then the call sites of the macros it came from, or each `mod`
    /// item of a file loaded twice.
    pub places: Vec<(String, u64)>,
}

impl LockFinding {
    /// Reads one of rustc's JSON diagnostics of a lock rule lint. File names
    /// are given relative to the topic crate (`src/bank.rs`): `crate_dir` is
    /// the crate's absolute folder, `member` its folder name in the sandbox
    /// workspace (rustc names files relative to the workspace root).
    pub fn from_diagnostic(
        message: &str,
        spans: &[Value],
        crate_dir: &Path,
        member: &str,
    ) -> LockFinding {
        let relative = |file: &str| -> String {
            let crate_prefix = format!("{}/", crate_dir.display());
            let member_prefix = format!("{member}/");
            file.strip_prefix(&crate_prefix)
                .or_else(|| file.strip_prefix(&member_prefix))
                .unwrap_or(file)
                .to_owned()
        };
        let mut places = Vec::new();
        for span in spans {
            // The span itself, then the call sites of the macros it expanded from.
            let mut current = Some(span);
            while let Some(span) = current {
                if let (Some(file), Some(line)) =
                    (span["file_name"].as_str(), span["line_start"].as_u64())
                {
                    let place = (relative(file), line);
                    if !places.contains(&place) {
                        places.push(place);
                    }
                }
                current = span
                    .get("expansion")
                    .and_then(|e| e.get("span"))
                    .filter(|s| s.is_object());
            }
        }
        // "use of a disallowed type `std::sync::Mutex`" names the item between
        // backticks; "file is loaded as a module multiple times: `x/src/wc.rs`"
        // names the file.
        let quoted = message
            .split('`')
            .nth(1)
            .map(str::to_owned)
            .unwrap_or_else(|| message.to_owned());
        let what = if message.starts_with("file is loaded as a module") {
            format!(
                "loads {} as a module a second time (with #[path])",
                relative(&quoted)
            )
        } else {
            quoted
        };
        LockFinding { what, places }
    }

    /// Whether the finding concerns the model-tier file `file`.
    fn concerns(&self, file: &str) -> bool {
        self.places.iter().any(|(f, _)| f == file)
    }

    /// `src/bank.rs:12: std::sync::Mutex`, at its place in `file` if it has one.
    fn line_for(&self, file: &str) -> String {
        let (at, line) = self
            .places
            .iter()
            .find(|(f, _)| f == file)
            .or(self.places.first())
            .cloned()
            .unwrap_or_else(|| ("<unknown file>".to_owned(), 0));
        let loaded = if at == file {
            ""
        } else {
            " (in a file loaded with #[path]: the checker cannot tell by which file, so it counts against every model-tier file)"
        };
        format!("{at}:{line}: {}{loaded}", self.what)
    }
}

/// Whether a finding lies only in given files that are no module of the
/// library (`src/bin/demo.rs`, a file outside the crate): such a file is in the
/// library only when some student file loaded it with `#[path]`. Findings in
/// the given library's own modules (`src/lib.rs`, `src/sync.rs`: files directly
/// in `src/`) are the given code itself; a student file that loads one of them
/// again is caught as a duplicate module.
fn loaded_from_elsewhere(finding: &LockFinding, student_files: &[String]) -> bool {
    let library_module = |f: &str| {
        f.strip_prefix("src/")
            .is_some_and(|rest| !rest.contains('/'))
    };
    !finding
        .places
        .iter()
        .any(|(f, _)| student_files.contains(f) || library_module(f))
}

/// The verdict of a model test whose `model_files` the lock rule found a
/// foreign lock in; `None` when it may run. `student_files` are every student
/// file of the topic (`src/word_count.rs` included), relative to the crate.
pub fn verdict(
    model_files: &[String],
    student_files: &[String],
    findings: &[LockFinding],
) -> Option<Verdict> {
    let mut lines = Vec::new();
    let mut named = Vec::new();
    for file in model_files {
        let mut found = false;
        for finding in findings {
            if finding.concerns(file) || loaded_from_elsewhere(finding, student_files) {
                let line = format!("  {}", finding.line_for(file));
                if !lines.contains(&line) {
                    lines.push(line);
                }
                found = true;
            }
        }
        if found {
            named.push(file.as_str());
        }
    }
    if lines.is_empty() {
        return None;
    }
    Some(Verdict::failed(Failure::Assertion {
        message: format!(
            "{} must take its locks from crate::sync (`use crate::sync::{{Condvar, Mutex}};`) and \
             use only their new/lock and new/wait/notify_one/notify_all, Arc and std atomics; \
             the model-checking tier needs every lock from crate::sync. The model checker swaps \
             crate::sync's locks for its own and explores only those: any other lock, channel, \
             spin, sleep or thread is invisible to it, so it could not explore this code. \
             The compiler found:\n{}",
            named.join(" and "),
            lines.join("\n")
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::{LockFinding, verdict};
    use serde_json::json;
    use std::path::Path;

    fn finding(message: &str, spans: serde_json::Value) -> LockFinding {
        let spans = spans.as_array().cloned().unwrap_or_default();
        LockFinding::from_diagnostic(message, &spans, Path::new("/sb/04/key"), "key")
    }

    fn students() -> Vec<String> {
        ["src/counter.rs", "src/bank.rs", "src/word_count.rs"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn a_use_counts_against_its_own_file_only() {
        let found = finding(
            "use of a disallowed type `std::sync::Mutex`",
            json!([{"file_name": "key/src/bank.rs", "line_start": 12}]),
        );
        assert_eq!(found.what, "std::sync::Mutex");
        let bank = verdict(
            &["src/bank.rs".into()],
            &students(),
            std::slice::from_ref(&found),
        )
        .expect("bank.rs's std Mutex fails bank's model tests");
        assert!(
            bank.message().contains("src/bank.rs:12: std::sync::Mutex"),
            "{:?}",
            bank.message()
        );
        assert!(verdict(&["src/counter.rs".into()], &students(), &[found]).is_none());
    }

    #[test]
    fn a_macro_counts_against_the_file_that_calls_it() {
        let found = finding(
            "use of a disallowed type `std::sync::RwLock`",
            json!([{"file_name": "/sb/04/key/src/word_count.rs", "line_start": 3,
                    "expansion": {"span": {"file_name": "key/src/counter.rs", "line_start": 9}}}]),
        );
        let counter = verdict(
            &["src/counter.rs".into()],
            &students(),
            std::slice::from_ref(&found),
        )
        .expect("the macro's call site is in counter.rs");
        assert!(
            counter
                .message()
                .contains("src/counter.rs:9: std::sync::RwLock")
        );
        assert!(verdict(&["src/bank.rs".into()], &students(), &[found]).is_none());
    }

    #[test]
    fn a_file_loaded_twice_counts_against_the_file_that_loads_it() {
        let found = finding(
            "file is loaded as a module multiple times: `key/src/word_count.rs`",
            json!([{"file_name": "key/src/bank.rs", "line_start": 3},
                   {"file_name": "key/src/lib.rs", "line_start": 6}]),
        );
        let bank = verdict(
            &["src/bank.rs".into()],
            &students(),
            std::slice::from_ref(&found),
        )
        .expect("bank.rs loads word_count.rs again");
        assert!(
            bank.message()
                .contains("src/bank.rs:3: loads src/word_count.rs as a module a second time")
        );
        assert!(verdict(&["src/counter.rs".into()], &students(), &[found]).is_none());
    }

    #[test]
    fn findings_in_other_student_files_are_legitimate() {
        let found = finding(
            "use of a disallowed type `std::sync::Mutex`",
            json!([{"file_name": "key/src/word_count.rs", "line_start": 5}]),
        );
        assert!(verdict(&["src/bank.rs".into()], &students(), &[found]).is_none());
    }

    #[test]
    fn findings_in_the_given_library_are_legitimate() {
        let found = finding(
            "use of a disallowed method `std::thread::yield_now`",
            json!([{"file_name": "key/src/lib.rs", "line_start": 69}]),
        );
        assert!(verdict(&["src/bank.rs".into()], &students(), &[found]).is_none());
    }

    #[test]
    fn findings_outside_student_files_count_against_every_model_file() {
        let found = finding(
            "use of a disallowed method `std::thread::sleep`",
            json!([{"file_name": "key/src/bin/demo.rs", "line_start": 7}]),
        );
        for file in ["src/bank.rs", "src/counter.rs"] {
            let failed = verdict(&[file.into()], &students(), std::slice::from_ref(&found))
                .expect("a given file loaded by #[path] counts against every model file");
            assert!(
                failed.message().contains(
                    "src/bin/demo.rs:7: std::thread::sleep (in a file loaded with #[path]"
                )
            );
        }
    }
}
