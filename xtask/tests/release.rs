//! The student release as shipped: `cargo xtask release` writes it, and then
//! everything happens in that folder only, with its own cargo (its own build of
//! xtask from the released sources), as a student of the class would work.
//!
//! The release is written to a fresh temporary folder (outside the instructor
//! repository, as `release` demands); its target directory is kept under
//! `CARGO_TARGET_TMPDIR/release-e2e`, so dependencies compile once across runs.

mod common;

use common::repo;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

const TOPIC: &str = "01_thread_basics";

/// Where this test keeps the release's build and its output files.
fn work() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("release-e2e")
}

/// `cargo ARGS` in the release, as a student runs it: the release's own
/// workspace, a target directory of its own, none of this test's cargo settings.
fn cargo(release: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(release)
        .env("CARGO_TARGET_DIR", work().join("target"))
        .env("NO_COLOR", "1")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("THREADLINGS_LANG")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("CARGO_MANIFEST_DIR")
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd`, asserting its exit code; returns stdout and stderr together.
fn run(cmd: &mut Command, code: i32) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("cargo runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    assert_eq!(status.code(), Some(code), "{cmd:?} printed:\n{text}");
    text
}

/// The JSON report of `cargo xtask check 01 --format json` (stdout only).
fn check_json(release: &Path, code: i32) -> Value {
    let output = cargo(release)
        .args(["xtask", "check", "01", "--format", "json"])
        .output()
        .expect("cargo runs");
    assert_eq!(
        output.status.code(),
        Some(code),
        "check printed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("check --format json prints JSON")
}

fn tests_of(report: &Value) -> &Vec<Value> {
    report["topics"][0]["tests"]
        .as_array()
        .expect("a tests array")
}

/// The student files of topic 01, as `src/...` paths.
fn student_files() -> Vec<String> {
    let project = checker::Project::load(&repo()).expect("the repository loads");
    project
        .find(TOPIC)
        .expect("topic 01 exists")
        .student_files
        .clone()
}

#[test]
fn the_release_works_as_shipped() {
    let folder = tempfile::Builder::new()
        .prefix("threadlings-release-")
        .tempdir()
        .expect("a temporary folder");
    let release = folder.path().to_path_buf();
    fs::create_dir_all(work()).expect("work folder");
    // Hint levels and last results live in the (kept) target dir: start afresh.
    for state in ["hints.json", "last-check.json"] {
        let _ = fs::remove_file(work().join("target/threadlings").join(state));
    }
    let written = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(repo())
        .args(["release", "--out"])
        .arg(&release)
        .output()
        .expect("xtask release runs");
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );

    // Every declared target exists (cargo fetch reads every manifest and target)
    // and the lock file fits the released manifests as it is.
    let host = String::from_utf8(
        Command::new("rustc")
            .arg("-vV")
            .output()
            .expect("rustc runs")
            .stdout,
    )
    .expect("rustc -vV is text")
    .lines()
    .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
    .expect("rustc names its host");
    run(
        cargo(&release).args(["fetch", "--locked", "--target", &host]),
        0,
    );
    run(
        cargo(&release).args(["fetch", "--offline", "--locked", "--target", &host]),
        0,
    );
    let workflow = fs::read_to_string(release.join(".github/workflows/check.yml"))
        .expect("the release carries its workflow");
    for needed in [
        "cargo xtask check --summary",
        "--classroom classroom.json",
        "autograding-grading-reporter",
        "persist-credentials: false",
        "contents: read",
    ] {
        assert!(workflow.contains(needed), "the workflow lacks {needed:?}");
    }
    // It runs the public tests only: no path to a hidden suite or to the references.
    assert!(!workflow.contains("/hidden") && !workflow.contains("solutions/"));

    // The skeleton: every public test "not implemented yet", exit 1.
    let skeleton = check_json(&release, 1);
    let tests = tests_of(&skeleton);
    let public = checker::Project::load(&release)
        .expect("the release loads")
        .manifest(
            checker::Project::load(&release)
                .expect("the release loads")
                .find(TOPIC)
                .expect("topic 01 ships"),
        )
        .expect("its manifest loads")
        .tests
        .len();
    assert_eq!(tests.len(), public, "every public test ran");
    for test in tests {
        // A todo!() reached in the test process, or in a program it ran (the demo).
        assert!(
            test["failure"]["kind"] == "not_implemented"
                || test["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("not implemented yet")),
            "skeleton verdict: {test}"
        );
        assert_eq!(test["visibility"], "public", "{test}");
    }

    // The reference files laid over it: every public test passes, and the CI
    // summary and GitHub Classroom documents say so.
    let skeleton_text: Vec<(String, String)> = student_files()
        .into_iter()
        .map(|rel| {
            let text = fs::read_to_string(release.join("exercises").join(TOPIC).join(&rel))
                .expect("student file ships");
            (rel, text)
        })
        .collect();
    for (rel, _) in &skeleton_text {
        fs::copy(
            repo().join("solutions").join(TOPIC).join(rel),
            release.join("exercises").join(TOPIC).join(rel),
        )
        .expect("lay the reference over the skeleton");
    }
    let summary = work().join("summary.md");
    let classroom = work().join("classroom.json");
    let _ = fs::remove_file(&summary);
    let text = run(
        cargo(&release)
            .args(["xtask", "check", "01", "--summary"])
            .arg(&summary)
            .arg("--classroom")
            .arg(&classroom),
        0,
    );
    assert!(!text.contains('✗'), "{text}");
    let classroom: Value =
        serde_json::from_str(&fs::read_to_string(&classroom).expect("classroom.json written"))
            .expect("classroom.json is JSON");
    assert_eq!(classroom["status"], "pass");
    let cases = classroom["tests"].as_array().expect("tests");
    assert_eq!(cases.len(), public);
    let score: f64 = cases.iter().filter_map(|t| t["score"].as_f64()).sum();
    assert_eq!(Some(score), classroom["max_score"].as_f64(), "{classroom}");
    assert!(cases.iter().all(|t| t["status"] == "pass"), "{classroom}");
    let summary = fs::read_to_string(&summary).expect("summary written");
    assert!(summary.contains(&format!("| {TOPIC} |")), "{summary}");
    assert!(summary.contains(&format!("{public}/{public}")), "{summary}");

    // list: the last check, without compiling.
    let list = run(cargo(&release).args(["xtask", "list"]), 0);
    let row = list
        .lines()
        .find(|l| l.starts_with(TOPIC))
        .unwrap_or_else(|| panic!("no {TOPIC} row in:\n{list}"));
    assert!(row.contains(&format!("{public}/{public}")), "{row}");

    // hint: the first level of a task's hints.
    let hint = run(
        cargo(&release).args(["xtask", "hint", "01", "spawn_named"]),
        0,
    );
    assert!(hint.contains("Hint 1 of"), "{hint}");

    // reset --yes: the skeleton comes back from the shipped pristine copies.
    run(cargo(&release).args(["xtask", "reset", "01", "--yes"]), 0);
    for (rel, text) in &skeleton_text {
        let now = fs::read_to_string(release.join("exercises").join(TOPIC).join(rel))
            .expect("student file");
        assert_eq!(&now, text, "{rel} is the skeleton again");
    }

    // watch --manual, driven through stdin: a saved reference file, Enter, a verdict.
    let mut watch = cargo(&release)
        .args(["xtask", "watch", "01", "--manual"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch starts");
    let out = common::Collected::from_stdout(&mut watch);
    let screen = |part: &str| part.contains("tests passed") && part.contains("q: quit");
    let first = out.wait(0, Duration::from_secs(300), "the first verdict", screen);
    assert!(first.contains("not implemented yet"), "{first}");
    assert!(first.contains("Enter: re-check"), "{first}");
    fs::copy(
        repo().join("solutions").join(TOPIC).join("src/spawn.rs"),
        release.join("exercises").join(TOPIC).join("src/spawn.rs"),
    )
    .expect("save the reference spawn.rs");
    let mark = out.now().len();
    let stdin = watch.stdin.as_mut().expect("piped stdin");
    stdin.write_all(b"\n").expect("Enter");
    let second = out.wait(mark, Duration::from_secs(300), "the re-check", |p| {
        p.contains("Checking 01_thread_basics") && screen(p)
    });
    assert!(second.contains("✓ spawn_named"), "{second}");
    stdin.write_all(b"q\n").expect("q");
    common::expect_exit(&mut watch, "q");
}
