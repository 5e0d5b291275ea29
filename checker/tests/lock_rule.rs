//! The model-checking tier's lock rule on the real compile step (the confined
//! wrapper running clippy-driver): every way of naming a foreign lock that a
//! text scan misses is reported on the right file and line, and costs only the
//! model tests of that file. Each topic is built once (model build only) with
//! all its escape variants; the `*_takes_its_locks_*` tests fail before running.

mod common;

use std::fs;
use std::path::Path;

use checker::{CheckOptions, Source, TestResult};

/// The 1-based line of `text` holding `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    text.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line holds {marker:?}"))
        + 1
}

/// Checks the tests of `topic` whose names contain `filter`, on a source made
/// of the reference files overlaid with `files` (path in `src/`, text).
fn check_overlay(
    topic_dir: &str,
    name: &str,
    filter: &str,
    files: &[(&str, &str)],
) -> Vec<TestResult> {
    // Held from the start: the overlay folders live in the shared work directory.
    let _alone = common::exclusive();
    let project = common::project();
    let topic = project.find(topic_dir).expect("the topic exists").clone();
    let overlay = project.work_dir().join("lock-rule-overlays").join(name);
    let _ = fs::remove_dir_all(&overlay);
    fs::create_dir_all(&overlay).expect("overlay folder");
    for (file, text) in files {
        fs::write(overlay.join(file), text).expect("overlay file written");
    }
    let source = common::overlay_source(&project, &topic, name, &overlay);
    let mut options = CheckOptions::new(Source::Dir(source), vec![topic]);
    options.test_filter = Some(filter.to_owned());
    let report = checker::check(&project, &options, &|_| {});
    let topic = report.topics.into_iter().next().expect("one topic");
    assert!(
        topic.problem.is_none(),
        "the topic failed as a whole: {:?}",
        topic.problem
    );
    topic.tests
}

fn message_of<'a>(tests: &'a [TestResult], name: &str) -> &'a TestResult {
    tests
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} was checked"))
}

#[test]
fn every_escape_is_found_on_its_file_and_line() {
    let solutions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../solutions/04_shared_state/src");
    let counter = fs::read_to_string(solutions.join("counter.rs")).expect("reference counter.rs");
    let bank = fs::read_to_string(solutions.join("bank.rs")).expect("reference bank.rs");
    // counter.rs: the reference, with every escape below it, under an allow.
    let counter = format!(
        "#![allow(clippy::disallowed_types, clippy::disallowed_methods, dead_code, unused_imports)]\n\
         {counter}\n\
         use std as s;\n\
         fn use_std_as() {{ let _m = s::sync::Mutex::new(0u8); }} // ESCAPE use-std-as\n\
         fn spaced() {{ let _m = std :: sync :: Mutex :: new(0u8); }} // ESCAPE spaced\n\
         fn rooted() {{ let _l = ::std::sync::RwLock::new(0u8); }} // ESCAPE rooted-rwlock\n\
         macro_rules! my_lock {{ () => {{ std::sync::Condvar::new() }} }} // ESCAPE macro\n\
         fn by_macro() {{ let _c = my_lock!(); }}\n\
         fn channel() {{ let (_tx, _rx) = std::sync::mpsc::sync_channel::<()>(1); }} // ESCAPE channel\n\
         fn spin() {{ std::hint::spin_loop(); }} // ESCAPE spin\n"
    );
    // bank.rs: the reference, loading word_count.rs (whose std Mutex is legitimate
    // there) a second time as a module of its own.
    let bank = format!("{bank}\n#[path = \"word_count.rs\"]\nmod wc; // ESCAPE path\n");
    let tests = check_overlay(
        "04_shared_state",
        "bank_and_counter_escapes",
        "takes_its_locks",
        &[("counter.rs", &counter), ("bank.rs", &bank)],
    );

    let counter_test = message_of(&tests, "model_counter_takes_its_locks_from_crate_sync");
    let message = counter_test.verdict.message();
    assert!(
        !counter_test.verdict.passed(),
        "counter.rs escapes must fail it"
    );
    for (marker, what) in [
        ("ESCAPE use-std-as", "std::sync::Mutex"),
        ("ESCAPE spaced", "std::sync::Mutex"),
        ("ESCAPE rooted-rwlock", "std::sync::RwLock"),
        ("ESCAPE macro", "std::sync::Condvar"),
        ("ESCAPE channel", "std::sync::mpsc::sync_channel"),
        ("ESCAPE spin", "std::hint::spin_loop"),
    ] {
        let expected = format!("src/counter.rs:{}: {what}", line_of(&counter, marker));
        assert!(
            message.contains(&expected),
            "{marker}: no {expected:?} in:\n{message}"
        );
    }
    assert!(
        !message.contains("word_count") && !message.contains("bank.rs"),
        "counter.rs's test must not pay for bank.rs:\n{message}"
    );

    let bank_test = message_of(&tests, "model_bank_takes_its_locks_from_crate_sync");
    let message = bank_test.verdict.message();
    let expected = format!(
        "src/bank.rs:{}: loads src/word_count.rs as a module a second time",
        line_of(&bank, "ESCAPE path") - 1
    );
    assert!(
        message.contains(&expected),
        "no {expected:?} in:\n{message}"
    );
    assert!(
        !message.contains("counter.rs"),
        "bank.rs's test must not pay for counter.rs:\n{message}"
    );
}

#[test]
fn a_crossbeam_channel_as_the_queues_lock_is_found() {
    let solutions =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../solutions/05_producer_consumer/src");
    let queue = fs::read_to_string(solutions.join("queue.rs")).expect("reference queue.rs");
    let queue = format!(
        "{queue}\n#[allow(dead_code)]\n\
         fn channel_lock() {{ let (_tx, _rx) = crossbeam_channel::bounded::<()>(1); }} // ESCAPE crossbeam\n"
    );
    let tests = check_overlay(
        "05_producer_consumer",
        "queue_escapes",
        "queue_takes_its_locks",
        &[("queue.rs", &queue)],
    );
    let test = message_of(&tests, "queue_takes_its_locks_from_crate_sync");
    let message = test.verdict.message();
    let expected = format!(
        "src/queue.rs:{}: crossbeam_channel::bounded",
        line_of(&queue, "ESCAPE crossbeam")
    );
    assert!(
        message.contains(&expected),
        "no {expected:?} in:\n{message}"
    );
    assert!(
        !message.contains("pipeline.rs"),
        "pipeline.rs's legitimate channels are not queue.rs's:\n{message}"
    );
}

#[test]
fn a_toolchain_without_clippy_is_refused_not_skipped() {
    let project = common::project();
    let sysroot = project.work_dir().join("lock-rule-no-clippy-sysroot");
    fs::create_dir_all(sysroot.join("bin")).expect("fake sysroot");
    let error = checker::compile::lock_rule(&project, &sysroot)
        .expect_err("no clippy-driver: the model build must not go on without the rule");
    assert!(
        format!("{error:#}").contains("rustup component add clippy"),
        "{error:#}"
    );
}
