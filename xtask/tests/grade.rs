//! The instructor workflow end to end, with the real `xtask` binary: grading a
//! class that holds the reference, hostile submissions
//! (`checker/tests/fixtures/hostile/`) and malformed ones; the formats; sharding
//! and merging; the student release.
//!
//! One grading run of topic 02 covers every hostile fixture: each must lose the
//! points of the tests its `expect.toml` names, every other test must score as
//! the reference does in the same run, every result file must be written, no
//! result may quote a line of a hidden suite or of a reference solution, and
//! nothing a test made may outlive the run. The confinement fixtures are graded
//! a second time with every test run as the grader's own user.
//!
//! The same run holds a skeleton (the student release's untouched files), and
//! its `report.html` is opened in headless Chromium: the checks are on the DOM
//! the browser built (its script draws the score histograms), not on the text.
//! Without Chromium that part is skipped with a note, unless
//! `THREADLINGS_REQUIRE_BROWSER` is set (CI sets it after installing Chromium).

mod common;

use common::repo;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

const TOPIC: &str = "02_join_all";

fn xtask() -> Command {
    let mut cmd = Command::cargo_bin("xtask").unwrap();
    cmd.current_dir(repo());
    cmd
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    description: String,
    topic: String,
    /// Tests that must score 0 (every other test scores as the reference does).
    #[serde(default)]
    fails: Vec<String>,
    /// A word the failure output of each failed test contains (checked as root);
    /// with `compile_error`, a word the submission's output contains (always checked).
    message: Option<String>,
    /// The submission does not compile (unsafe code, say): every test of the
    /// topic scores 0, and `fails` is not needed.
    #[serde(default)]
    compile_error: bool,
    /// A marker no process's command line may hold once grading is over.
    no_process_left: Option<String>,
    /// Project files (relative to the root) that must be byte-for-byte unchanged.
    #[serde(default)]
    unchanged: Vec<String>,
    /// A file that must not exist after grading (a build script's trace).
    no_file_created: Option<String>,
    /// The defense needs the grader to run as root (a sandbox user per test).
    #[serde(default)]
    needs_root: bool,
    /// The defense needs Landlock (files, TCP, signals); skipped with a note without.
    #[serde(default)]
    needs_landlock: bool,
    /// Files that must not exist after grading (removed before).
    #[serde(default)]
    no_file_left: Vec<String>,
    /// No System V IPC object made by a test may outlive grading.
    #[serde(default)]
    no_sysv_left: bool,
}

/// The port the `connects_tcp` fixture tries, on 127.0.0.1.
const LISTENING_PORT: u16 = 47_631;

/// A grading class: reference submissions and hostile fixtures, in a temporary folder.
struct Class {
    _work: TempDir,
    subs: PathBuf,
    out: PathBuf,
    expects: BTreeMap<String, Expect>,
}

/// The reference twice, plus every hostile fixture `wanted` accepts.
fn hostile_class(wanted: impl Fn(&Expect) -> bool) -> Class {
    let work = TempDir::new().unwrap();
    let subs = work.path().join("submissions");
    let out = work.path().join("out");
    fs::create_dir_all(&subs).unwrap();

    // The reference, twice: a sibling of every hostile submission must not notice it.
    reference_submission(&subs.join("reference"));
    reference_submission(&subs.join("reference_too"));

    let fixtures_root = repo().join("checker/tests/fixtures/hostile");
    let mut expects = BTreeMap::new();
    for entry in fs::read_dir(&fixtures_root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expect: Expect = toml::from_str(&fs::read_to_string(dir.join("expect.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
        assert_eq!(
            expect.topic, TOPIC,
            "{name}: the hostile fixtures grade topic 02"
        );
        assert!(!expect.description.is_empty());
        if !wanted(&expect) {
            continue;
        }
        let sub = subs.join(&name);
        reference_submission(&sub);
        for item in fs::read_dir(&dir).unwrap() {
            let item = item.unwrap();
            if item.file_name() == "expect.toml" {
                continue;
            }
            if item.file_type().unwrap().is_dir() {
                copy_tree(&item.path(), &sub.join(item.file_name()));
            } else {
                fs::copy(item.path(), sub.join(item.file_name())).unwrap();
            }
        }
        if let Some(file) = &expect.no_file_created {
            let _ = fs::remove_file(file);
        }
        for file in &expect.no_file_left {
            let _ = fs::remove_file(file);
        }
        expects.insert(name, expect);
    }
    Class {
        _work: work,
        subs,
        out,
        expects,
    }
}

/// The System V IPC objects that exist now.
fn sysv_objects() -> Vec<checker::confine::ipc::SysvObject> {
    checker::confine::ipc::sysv_objects()
}

/// Every text line of the hidden suites and the reference solutions that no
/// public file has: any of them in a result is a leak.
fn secret_lines() -> Vec<String> {
    fn lines_below(dir: &Path, keep: &dyn Fn(&Path) -> bool, into: &mut Vec<String>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                lines_below(&path, keep, into);
            } else if keep(&path)
                && let Ok(text) = fs::read_to_string(&path)
            {
                into.extend(text.lines().map(|l| l.trim().to_owned()));
            }
        }
    }
    let suites = repo().join("checker/suites");
    let mut secret = Vec::new();
    lines_below(
        &suites,
        &|p| p.components().any(|c| c.as_os_str() == "hidden"),
        &mut secret,
    );
    lines_below(&repo().join("solutions"), &|_| true, &mut secret);
    let mut public = Vec::new();
    lines_below(
        &suites,
        &|p| !p.components().any(|c| c.as_os_str() == "hidden"),
        &mut public,
    );
    lines_below(&repo().join("exercises"), &|_| true, &mut public);
    let public: std::collections::BTreeSet<String> = public.into_iter().collect();
    let mut secret: Vec<String> = secret
        .into_iter()
        // Short or punctuation-only lines (`}`, `use std::fs;`) prove nothing.
        .filter(|l| l.len() >= 24 && !public.contains(l))
        .collect();
    secret.sort();
    secret.dedup();
    secret
}

#[test]
fn the_leak_detector_finds_a_quoted_hidden_line() {
    let out = TempDir::new().unwrap();
    let line = secret_lines().pop().unwrap();
    let results = serde_json::json!({ "tests": [{ "output": format!("read: {line}") }] });
    fs::create_dir_all(out.path().join("student")).unwrap();
    fs::write(
        out.path().join("student/results.json"),
        serde_json::to_string(&results).unwrap(),
    )
    .unwrap();
    assert_eq!(leaked_lines(out.path()).len(), 1, "{line}");
}

/// Lines of hidden suites or solutions quoted anywhere in the grading output.
fn leaked_lines(out: &Path) -> Vec<String> {
    let secret = secret_lines();
    assert!(
        secret.len() > 100,
        "the hidden suites and solutions were not found"
    );
    let mut leaks = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            // JSON escapes quotes and backslashes; compare with them undone too.
            let unescaped = text.replace("\\\"", "\"").replace("\\\\", "\\");
            for line in &secret {
                if text.contains(line.as_str()) || unescaped.contains(line.as_str()) {
                    leaks.push(format!("{}: {line}", path.display()));
                }
            }
        }
    }
    leaks
}

/// Checks every fixture of `class` against its results in `out`.
fn fixture_problems(
    class: &Class,
    reference: &BTreeMap<String, (f64, String, String)>,
    load: &dyn Fn(&str) -> Value,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, expect) in &class.expects {
        let got = tests_of(&load(name));
        if expect.needs_root && !is_root() {
            continue; // results written (load above); the defense itself needs root.
        }
        if expect.needs_landlock && !checker::confine::layers().complete() {
            eprintln!(
                "note: {name} not judged: this machine lacks {:?}",
                checker::confine::layers().missing()
            );
            continue;
        }
        if expect.compile_error {
            problems.extend(compile_error_problems(name, expect, &load(name), TOPIC));
            continue;
        }
        for test in &expect.fails {
            match got.get(test) {
                None => problems.push(format!("{name}: no result for {test}")),
                Some((score, status, text)) => {
                    if *score != 0.0 || status != "failed" {
                        problems.push(format!("{name}: {test} scored {score} ({status})"));
                    }
                    if let Some(word) = &expect.message
                        && is_root()
                        && !text.to_lowercase().contains(&word.to_lowercase())
                    {
                        problems.push(format!("{name}: {test}'s message lacks {word:?}: {text}"));
                    }
                }
            }
        }
        for (test, (score, status, text)) in &got {
            if expect.fails.contains(test) {
                continue;
            }
            let (ref_score, ref_status, _) = &reference[test];
            if status != ref_status || score != ref_score {
                problems.push(format!(
                    "{name}: {test} is {status} ({score}) but {ref_status} ({ref_score}) for the reference: {text}"
                ));
            }
        }
        if let Some(marker) = &expect.no_process_left {
            let left = common::processes_mentioning(marker);
            if !left.is_empty() {
                problems.push(format!("{name}: processes left running: {left:?}"));
            }
        }
        if let Some(file) = &expect.no_file_created
            && Path::new(file).exists()
        {
            problems.push(format!("{name}: {file} was created"));
        }
        for file in &expect.no_file_left {
            if Path::new(file).exists() {
                problems.push(format!("{name}: {file} outlived its test"));
                let _ = fs::remove_file(file);
            }
        }
    }
    for leak in leaked_lines(&class.out) {
        problems.push(format!(
            "a hidden suite or solution line leaked into {leak}"
        ));
    }
    problems
}

/// Grades `class` (topic 02, two jobs) with `env` set, checking the confinement
/// fixtures' System V objects, with a listener on [`LISTENING_PORT`].
fn grade_class(class: &Class, env: &[(&str, &str)]) -> (std::process::Output, Vec<String>) {
    // Something to connect to: a refused connection must be the sandbox's doing.
    let listener = std::net::TcpListener::bind(("127.0.0.1", LISTENING_PORT));
    if let Err(e) = &listener {
        eprintln!("note: cannot listen on 127.0.0.1:{LISTENING_PORT} ({e})");
    }
    let before: Vec<(checker::confine::ipc::Kind, i32)> =
        sysv_objects().iter().map(|o| (o.kind, o.id)).collect();
    let mut cmd = xtask();
    cmd.args(["grade"])
        .arg(&class.subs)
        .arg("--out")
        .arg(&class.out)
        .args(["--topic", TOPIC, "--jobs", "2"])
        // The endless-const fixture is stopped at this limit (120 s by default).
        .env(checker::compile::STUDENT_BUILD_SECONDS_ENV, "20");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    drop(listener);
    let mut problems = Vec::new();
    if class.expects.values().any(|e| e.no_sysv_left) {
        let me = fs::metadata("/proc/self").map_or(0, |m| m.uid());
        for object in sysv_objects() {
            if !before.contains(&(object.kind, object.id))
                && (object.cuid == me || object.cuid >= checker::run::SANDBOX_UID_BASE)
            {
                problems.push(format!(
                    "System V {:?} {} (made by uid {}) outlived grading",
                    object.kind, object.id, object.cuid
                ));
            }
        }
    }
    (output, problems)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A submission holding the reference student files of every topic.
fn reference_submission(dir: &Path) {
    for entry in fs::read_dir(repo().join("solutions")).unwrap() {
        let entry = entry.unwrap();
        copy_tree(
            &entry.path(),
            &dir.join("exercises").join(entry.file_name()),
        );
    }
}

fn tests_of(results: &Value) -> BTreeMap<String, (f64, String, String)> {
    results["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap();
            let name = name.split_once(": ").map_or(name, |(_, n)| n).to_owned();
            (
                name,
                (
                    t["score"].as_f64().unwrap(),
                    t["status"].as_str().unwrap().to_owned(),
                    t["output"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

#[test]
fn hostile_and_malformed_submissions_lose_only_their_own_points() {
    let class = hostile_class(|_| true);
    let (subs, out, expects) = (&class.subs, &class.out, &class.expects);
    assert!(expects.len() >= 16, "the hostile fixtures are missing");

    // Malformed submissions: each fails topic 02 as a whole, with a clear line.
    let race = |id: &str| subs.join(id).join("exercises/02_join_all/src/race.rs");
    reference_submission(&subs.join("not_utf8"));
    fs::write(race("not_utf8"), b"//! caf\xe9\npub fn first_of() {}\n").unwrap();
    reference_submission(&subs.join("huge_file"));
    fs::write(race("huge_file"), "// padding\n".repeat(200_000)).unwrap();
    reference_submission(&subs.join("symlinked"));
    fs::remove_file(race("symlinked")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", race("symlinked")).unwrap();
    // A FIFO instead of a file: reading it must not hang grading.
    reference_submission(&subs.join("fifo"));
    fs::remove_file(race("fifo")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(race("fifo"))
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");
    // A topic folder linked to a classmate's: graded as nobody's code.
    fs::create_dir_all(subs.join("linked_topic/exercises")).unwrap();
    std::os::unix::fs::symlink(
        subs.join("reference/exercises/02_join_all"),
        subs.join("linked_topic/exercises/02_join_all"),
    )
    .unwrap();
    fs::create_dir_all(subs.join("no_layout/src")).unwrap();
    fs::write(subs.join("no_layout/src/race.rs"), "// wrong place\n").unwrap();
    // A skeleton: the release's files, every test "not implemented yet".
    copy_tree(
        &repo().join("exercises").join(TOPIC),
        &subs.join("skeleton/exercises").join(TOPIC),
    );
    let malformed = [
        ("not_utf8", "not UTF-8"),
        ("huge_file", "bytes, more than"),
        ("symlinked", "symbolic link"),
        ("linked_topic", "symbolic link"),
        ("fifo", "not a regular file"),
        ("no_layout", "no exercises/ folder"),
    ];

    let unchanged_before: BTreeMap<String, Vec<u8>> = expects
        .values()
        .flat_map(|e| e.unchanged.iter())
        .map(|p| (p.clone(), fs::read(repo().join(p)).unwrap()))
        .collect();

    let (output, mut problems) = grade_class(&class, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "grade must exit 0 when every submission was graded:\n{stderr}"
    );

    let load = |id: &str| -> Value {
        let path = out.join(id).join("results.json");
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}\n{stderr}", path.display()));
        serde_json::from_str(&text).unwrap()
    };
    let reference = tests_of(&load("reference"));
    assert!(!reference.is_empty());
    assert_eq!(
        tests_of(&load("reference_too"))
            .iter()
            .map(|(k, v)| (k.clone(), v.1.clone()))
            .collect::<Vec<_>>(),
        reference
            .iter()
            .map(|(k, v)| (k.clone(), v.1.clone()))
            .collect::<Vec<_>>(),
        "two copies of the reference graded differently"
    );

    problems.extend(fixture_problems(&class, &reference, &load));
    for (path, before) in &unchanged_before {
        if &fs::read(repo().join(path)).unwrap() != before {
            problems.push(format!("{path} was modified"));
        }
    }
    for (id, words) in malformed {
        let results = load(id);
        let tests = tests_of(&results);
        assert!(!tests.is_empty(), "{id}: no tests listed");
        for (test, (score, _, _)) in &tests {
            if *score != 0.0 {
                problems.push(format!("{id}: {test} scored {score}"));
            }
        }
        let top = results["output"].as_str().unwrap();
        if !top.contains(words) {
            problems.push(format!("{id}: the output does not say {words:?}:\n{top}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Once graded, a submission's sandboxes and compiled units are removed, so
    // the disk a class needs does not grow with its size.
    let work = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
        .join("threadlings");
    let units: Vec<(PathBuf, String)> = fs::read_dir(work.join("build/debug/deps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "d"))
        .map(|p| (p.clone(), fs::read_to_string(&p).unwrap_or_default()))
        .collect();
    for id in fs::read_dir(subs).unwrap() {
        let key = checker::Source::Dir(id.unwrap().path()).key();
        assert!(
            !work.join("sandboxes").join(&key).exists(),
            "the sandboxes of {key} were kept"
        );
        let member = format!("{key}/");
        for (path, text) in &units {
            assert!(
                !text.split_whitespace().any(|t| t.starts_with(&member)),
                "{} (built for {key}) was kept",
                path.display()
            );
        }
    }

    // The class files: one row / testsuite per submission.
    let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("submission,total,max,02_join_all"));
    let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(ids.len(), expects.len() + 3 + malformed.len(), "{csv}");
    let junit = fs::read_to_string(out.join("junit.xml")).unwrap();
    for id in &ids {
        assert!(
            junit.contains(&format!("<testsuite name=\"{id}\"")),
            "{id} not in junit.xml"
        );
    }
    assert!(
        !junit
            .chars()
            .any(|c| c < ' ' && !matches!(c, '\n' | '\r' | '\t')),
        "junit.xml holds control characters"
    );
    let summary = fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("| reference |"), "{summary}");
    let skeleton = tests_of(&load("skeleton"));
    assert!(
        skeleton
            .values()
            .all(|(score, _, text)| *score == 0.0 && text.contains("not implemented yet")),
        "the skeleton scored, or failed for another reason: {skeleton:?}"
    );

    // Gradescope's extra fields: numbered, tagged, who graded and how confined.
    let results = load("reference");
    assert!(
        results["extra_data"]["sandbox_layers"]
            .as_str()
            .is_some_and(|s| s.contains("Landlock")),
        "{}",
        results["extra_data"]
    );
    assert_eq!(results["tests"][0]["number"], "2.1");
    assert_eq!(results["tests"][0]["tags"][0], TOPIC);

    check_report_in_browser(out, &load);
}

/// Opens `OUT/report.html` in headless Chromium and checks the DOM it built
/// against the results files: one histogram bar per bucket holding the number
/// of submissions in it, a row per submission, the pass rates hardest first,
/// the skeleton's "not implemented" and the malformed submissions listed as
/// not graded, and no element a hostile text could have injected.
fn check_report_in_browser(out: &Path, load: &dyn Fn(&str) -> Value) {
    let page = out.join("report.html");
    let Some(dom) = browser_dom(&page) else {
        return;
    };
    let ids: Vec<String> = fs::read_to_string(out.join("grades.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(csv_first_field)
        .collect();
    let mut expected = vec![0usize; checker::grading::class::BUCKETS.len()];
    for id in &ids {
        let tests = load(id)["tests"].as_array().unwrap().clone();
        let score: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
        let max: f64 = tests.iter().map(|t| t["max_score"].as_f64().unwrap()).sum();
        expected[checker::grading::class::bucket(score, max)] += 1;
    }
    // The script ran and drew one histogram (one topic) of six bars.
    assert!(
        dom.contains("data-drawn=\"1\""),
        "the script did not run:\n{dom}"
    );
    let drawn: Vec<usize> = (0..expected.len())
        .map(|bucket| {
            let marker = format!("<g class=\"bar\" data-bucket=\"{bucket}\" data-count=\"");
            let at = dom
                .find(&marker)
                .unwrap_or_else(|| panic!("no bar {bucket} drawn:\n{dom}"))
                + marker.len();
            dom[at..].split('"').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(drawn, expected, "the histogram's bars");
    assert_eq!(
        dom.matches("<g class=\"bar\"").count(),
        expected.len(),
        "one bar per bucket"
    );
    // A row per submission, each id shown as text.
    assert_eq!(dom.matches("<tr class=\"submission\">").count(), ids.len());
    for id in &ids {
        let cell = format!("<td class=\"id\">{}</td>", checker::markup::escape(id));
        assert!(dom.contains(&cell), "{id} has no row");
    }
    // Pass rates, hardest first.
    let rates: Vec<f64> = dom
        .split("<tr class=\"test\">")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td class=\"num\">").nth(1).unwrap();
            let (passed, graded) = cell.split('<').next().unwrap().split_once('/').unwrap();
            passed.parse::<f64>().unwrap() / graded.parse::<f64>().unwrap()
        })
        .collect();
    assert_eq!(rates.len(), tests_of(&load("reference")).len());
    assert!(rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    // Why tests failed, and what could not be graded.
    assert!(dom.contains("data-kind=\"NotImplemented\""), "{dom}");
    for id in ["no_layout", "not_utf8", "symlinked", "fifo"] {
        assert!(
            dom.contains(&format!(
                "<tr class=\"ungraded\"><td class=\"id\">{id}</td>"
            )),
            "{id} is not listed as not graded"
        );
    }
    // Only our two scripts; no element made from a student's text.
    assert_eq!(dom.matches("<script").count(), 2, "{dom}");
    assert!(!dom.contains("<img") && !dom.contains("<iframe"), "{dom}");
}

/// The first field of a grades.csv line (quoted when it holds a comma or a quote).
fn csv_first_field(line: &str) -> String {
    checker::grading::csv::parse_line(line)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The DOM headless Chromium builds from `page` once its scripts ran; `None`
/// (with a note) when no Chromium is installed, unless
/// `THREADLINGS_REQUIRE_BROWSER` is set, which makes that a failure.
fn browser_dom(page: &Path) -> Option<String> {
    let required = std::env::var_os("THREADLINGS_REQUIRE_BROWSER").is_some_and(|v| v != "0");
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        });
    let Some(browser) = found else {
        assert!(
            !required,
            "THREADLINGS_REQUIRE_BROWSER is set, but no chromium is on PATH"
        );
        eprintln!(
            "note: report.html not checked in a browser: chromium is not installed \
             (apt-get install chromium; set THREADLINGS_REQUIRE_BROWSER=1 to make this a failure)"
        );
        return None;
    };
    let work = TempDir::new().unwrap();
    let dom_path = work.path().join("dom.html");
    let mut child = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdin(std::process::Stdio::null())
        .stdout(fs::File::create(&dom_path).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // A wide bound: Chromium starts in about 2 s on an idle machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not finish in 120 s", browser.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success(), "{} failed: {status}", browser.display());
    let dom = fs::read_to_string(&dom_path).unwrap();
    assert!(!dom.is_empty(), "{} dumped no DOM", browser.display());
    Some(dom)
}

/// The confinement fixtures again, with every test run as the grader's own user
/// (`THREADLINGS_SANDBOX_USER=0`): the code path of a grader that is not root
/// (Landlock alone keeps files, network and signals; leftovers are found by the
/// rule for a shared user id). As a normal user the first test already is that.
#[test]
fn confinement_holds_without_a_sandbox_user() {
    if !is_root() {
        eprintln!("note: not root: the hostile grading test already ran without sandbox users");
        return;
    }
    let class = hostile_class(|e| e.needs_landlock);
    assert!(
        class.expects.len() >= 5,
        "the confinement fixtures are missing"
    );
    let (output, mut problems) = grade_class(&class, &[("THREADLINGS_SANDBOX_USER", "0")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "grade failed:\n{stderr}");
    let load = |id: &str| -> Value {
        let path = class.out.join(id).join("results.json");
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}\n{stderr}", path.display()));
        serde_json::from_str(&text).unwrap()
    };
    let reference = tests_of(&load("reference"));
    problems.extend(fixture_problems(&class, &reference, &load));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What is wrong with the results of a submission that must not compile in
/// `topic`: every test of `topic` scores 0, and the output names the cause.
fn compile_error_problems(
    name: &str,
    expect: &Expect,
    results: &Value,
    topic: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let of_topic: Vec<_> = results["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .filter(|t| {
            t["name"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{topic}: "))
        })
        .collect();
    if of_topic.is_empty() {
        problems.push(format!("{name}: no test of {topic} listed"));
    }
    for test in of_topic {
        if test["score"].as_f64() != Some(0.0) || test["status"] != "failed" {
            problems.push(format!(
                "{name}: {} scored {} ({}), expected a compile error",
                test["name"], test["score"], test["status"]
            ));
        }
    }
    let output = results["output"].as_str().unwrap_or_default();
    if !output.contains(&format!("{topic}: does not compile")) {
        problems.push(format!("{name}: {topic} is not a compile error:\n{output}"));
    }
    if let Some(word) = &expect.message
        && !output.contains(word.as_str())
    {
        problems.push(format!("{name}: the output lacks {word:?}:\n{output}"));
    }
    problems
}

/// Unsafe code costs its own topic and nothing else. Each `compile_error`
/// hostile fixture (unsafe code in topic 02) is graded on topics 01 and 02:
/// 02 does not compile, and 01 scores test for test as the reference in the
/// same run. (The reference here holds topic 01 only, so its 02 is a missing
/// file, graded without building.)
#[test]
fn unsafe_code_costs_only_its_own_topic() {
    const OTHER: &str = "01_thread_basics";
    let work = TempDir::new().unwrap();
    let subs = work.path().join("submissions");
    let out = work.path().join("out");
    copy_tree(
        &repo().join("solutions").join(OTHER),
        &subs.join("reference/exercises").join(OTHER),
    );
    let fixtures_root = repo().join("checker/tests/fixtures/hostile");
    let mut expects = BTreeMap::new();
    for entry in fs::read_dir(&fixtures_root).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expect: Expect =
            toml::from_str(&fs::read_to_string(dir.join("expect.toml")).unwrap()).unwrap();
        if !expect.compile_error {
            continue;
        }
        reference_submission(&subs.join(&name));
        copy_tree(&dir.join("exercises"), &subs.join(&name).join("exercises"));
        expects.insert(name, expect);
    }
    assert!(expects.len() >= 3, "the unsafe-code fixtures are missing");

    let output = xtask()
        .args(["grade"])
        .arg(&subs)
        .arg("--out")
        .arg(&out)
        .args(["--topic", OTHER, "--topic", TOPIC, "--jobs", "2"])
        .env(checker::compile::STUDENT_BUILD_SECONDS_ENV, "20")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "grade failed:\n{stderr}");
    let load = |id: &str| -> Value {
        let path = out.join(id).join("results.json");
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} was not written: {e}\n{stderr}", path.display()));
        serde_json::from_str(&text).unwrap()
    };
    let of_other = |results: &Value| -> BTreeMap<String, (f64, String, String)> {
        let prefix = format!("{OTHER}: ");
        results["tests"]
            .as_array()
            .expect("tests[]")
            .iter()
            .filter(|t| t["name"].as_str().unwrap().starts_with(&prefix))
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_owned(),
                    (
                        t["score"].as_f64().unwrap(),
                        t["status"].as_str().unwrap().to_owned(),
                        t["output"].as_str().unwrap_or_default().to_owned(),
                    ),
                )
            })
            .collect()
    };
    let reference = of_other(&load("reference"));
    assert!(
        !reference.is_empty(),
        "the reference has no {OTHER} results"
    );

    let mut problems = Vec::new();
    for (name, expect) in &expects {
        let results = load(name);
        problems.extend(compile_error_problems(name, expect, &results, TOPIC));
        let got = of_other(&results);
        if got.len() != reference.len() {
            problems.push(format!(
                "{name}: {} tests of {OTHER}, the reference has {}",
                got.len(),
                reference.len()
            ));
        }
        for (test, (score, status, text)) in &got {
            let (ref_score, ref_status, _) = &reference[test];
            if status != ref_status || score != ref_score {
                problems.push(format!(
                    "{name}: {test} is {status} ({score}) but {ref_status} ({ref_score}) for the reference: {text}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn bad_usage_exits_2_with_a_clear_line() {
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    let missing = work.path().join("nowhere");
    let assert = xtask()
        .arg("grade")
        .arg(&missing)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("does not exist"), "{stderr}");

    let empty = work.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let assert = xtask()
        .arg("grade")
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("holds no submission"), "{stderr}");

    fs::create_dir_all(empty.join("alice/exercises")).unwrap();
    for shard in ["0/2", "3/2", "x", "1/0"] {
        xtask()
            .arg("grade")
            .arg(&empty)
            .arg("--out")
            .arg(&out)
            .args(["--shard", shard])
            .assert()
            .code(2);
    }

    // A test filter that selects nothing is a usage error naming the tests there are.
    let assert = xtask()
        .args(["check", "02", "--test", "no_such_test_anywhere"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("no test name contains \"no_such_test_anywhere\""),
        "{stderr}"
    );
    assert!(stderr.contains("02_join_all: first_of_"), "{stderr}");
}

/// Shards split a class into disjoint stable parts and `merge` joins them into
/// the same files one unsharded run writes. No compilation: every submission
/// lacks the expected layout, which is graded without building.
#[test]
fn shards_are_disjoint_and_merge_back() {
    let work = TempDir::new().unwrap();
    let subs = work.path().join("subs");
    let ids: Vec<String> = (0..9).map(|i| format!("student{i}")).collect();
    for id in &ids {
        fs::create_dir_all(subs.join(id).join("misplaced")).unwrap();
    }
    let mut shard_dirs = Vec::new();
    let mut seen = Vec::new();
    for i in 1..=3 {
        let out = work.path().join(format!("shard{i}"));
        xtask()
            .arg("grade")
            .arg(&subs)
            .arg("--out")
            .arg(&out)
            .args([
                "--shard",
                &format!("{i}/3"),
                "--topic",
                "01",
                "--topic",
                "02",
            ])
            .assert()
            .code(0);
        let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
        for line in csv.lines().skip(1) {
            seen.push(line.split(',').next().unwrap().to_owned());
        }
        shard_dirs.push(out);
    }
    seen.sort();
    assert_eq!(seen, ids, "every submission in exactly one shard");

    // The same shard again grades the same students.
    let again = work.path().join("again");
    xtask()
        .arg("grade")
        .arg(&subs)
        .arg("--out")
        .arg(&again)
        .args(["--shard", "2/3", "--topic", "01", "--topic", "02"])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(again.join("grades.csv")).unwrap(),
        fs::read_to_string(shard_dirs[1].join("grades.csv")).unwrap()
    );

    let merged = work.path().join("merged");
    xtask()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(0);
    let csv = fs::read_to_string(merged.join("grades.csv")).unwrap();
    let mut lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.remove(0),
        "submission,total,max,01_thread_basics,02_join_all"
    );
    assert_eq!(lines.len(), ids.len());
    for id in &ids {
        assert!(merged.join(id).join("results.json").is_file());
    }
    let summary = fs::read_to_string(merged.join("summary.md")).unwrap();
    assert!(summary.contains("9 of 9 submissions graded"), "{summary}");
    let page = fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(page.contains("9 of 9 submissions graded"), "{page}");
    // Each submission: its layout, and each of its two topics, are not graded.
    assert_eq!(
        page.matches("<tr class=\"ungraded\">").count(),
        27,
        "{page}"
    );

    // A shard given twice is refused; a missing shard is a warning.
    xtask()
        .arg("merge")
        .arg(&shard_dirs[0])
        .arg(&shard_dirs[0])
        .arg("--out")
        .arg(work.path().join("twice"))
        .assert()
        .code(2);
    let assert = xtask()
        .arg("merge")
        .arg(&shard_dirs[0])
        .arg("--out")
        .arg(work.path().join("partial"))
        .assert()
        .code(0);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("shards missing: 2/3, 3/3"), "{stderr}");
}

#[test]
fn the_release_ships_no_solution_and_no_hidden_test() {
    let work = TempDir::new().unwrap();
    let out = work.path().join("release");
    xtask()
        .args(["release", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert!(!out.join("solutions").exists());
    assert!(!out.join("checker/tests").exists());
    assert!(out.join("checker/suites/topics.toml").is_file());
    assert!(out.join("README.md").is_file());
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(&out).unwrap().display().to_string();
            assert!(!rel.contains("hidden"), "{rel} shipped");
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    // No manifest names a test whose file is not shipped.
    let project = checker::Project::load(&out).unwrap();
    let instructor = checker::Project::load(&repo()).unwrap();
    for topic in &project.topics {
        let manifest = out
            .join("checker/suites")
            .join(&topic.dir)
            .join("manifest.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = fs::read_to_string(&manifest).unwrap();
        let hidden = instructor
            .manifest(topic)
            .unwrap()
            .tests
            .into_iter()
            .filter(|t| t.visibility == checker::manifest::Visibility::Hidden);
        for test in hidden {
            assert!(
                !text.contains(&format!("\"{}\"", test.name)),
                "{} names hidden test {}",
                manifest.display(),
                test.name
            );
        }
    }
    // A non-empty folder is refused without --force, replaced with it.
    xtask()
        .args(["release", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    xtask()
        .args(["release", "--force", "--out"])
        .arg(&out)
        .assert()
        .code(0);
}
