//! The student experience, tested as a student would use it: the real `xtask`
//! binary in fresh student releases (`cargo xtask release`).
//!
//! `list`, `hint`, `reset` and bad input compile nothing. One watch test checks
//! topic 01 for real; its builds go to a shared directory under the target dir
//! (`CARGO_TARGET_TMPDIR/student-watch`), so dependencies compile once, not per run.

mod common;

use common::repo;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use checker::hints::{self, Lang};
use checker::judge::{Failure, Verdict};
use checker::{Project, TestResult, TopicResult};
use tempfile::TempDir;

const TOPIC: &str = "01_thread_basics";

/// The student release, as `cargo xtask release` writes it, in a fresh folder.
fn student_copy() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("threadlings-student-")
        .tempdir()
        .unwrap();
    Command::cargo_bin("xtask")
        .unwrap()
        .current_dir(repo())
        .args(["release", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    dir
}

/// `cargo xtask` run in `dir`, with its own target dir and no language preset.
fn xtask(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("xtask").unwrap();
    cmd.current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove(hints::LANG_VAR)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn failure_of(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Last-check results for topic 01 in which only the tests of `passing` pass.
fn write_results(project: &Project, passing: &str) -> TopicResult {
    let topic = project.find(TOPIC).unwrap();
    let manifest = project.manifest(topic).unwrap();
    let result = TopicResult {
        topic: TOPIC.into(),
        problem: None,
        reused: false,
        tests: manifest
            .tests
            .iter()
            .map(|spec| {
                let pass = spec.task == passing;
                TestResult {
                    name: spec.name.clone(),
                    task: spec.task.clone(),
                    visibility: spec.visibility,
                    max_points: spec.points,
                    points: if pass { spec.points } else { 0.0 },
                    verdict: if pass {
                        Verdict {
                            failure: None,
                            notes: Vec::new(),
                        }
                    } else {
                        Verdict::failed(Failure::NotImplemented {
                            location: "src/x.rs:1".into(),
                        })
                    },
                    seconds: 0.1,
                    timeline: None,
                }
            })
            .collect(),
    };
    // Where `list` looks when CARGO_TARGET_DIR is unset (as in `xtask()`).
    let path = project.root.join("target/threadlings/last-check.json");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let all: std::collections::BTreeMap<_, _> = [(TOPIC.to_owned(), result.clone())].into();
    fs::write(&path, serde_json::to_string(&all).unwrap()).unwrap();
    result
}

fn load(dir: &Path) -> Project {
    Project::load(dir).unwrap()
}

/// The row of `name` in the list output, whitespace-collapsed.
fn row(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row {name} in:\n{out}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn list_shows_the_last_results_without_compiling() {
    let copy = student_copy();
    let project = load(copy.path());
    let result = write_results(&project, "spawn_named");
    let out = stdout_of(xtask(copy.path()).arg("list"));

    let spawn: Vec<&TestResult> = result
        .tests
        .iter()
        .filter(|t| t.task == "spawn_named")
        .collect();
    let spawn_points: f64 = spawn.iter().map(|t| t.max_points).sum();
    assert_eq!(
        row(&out, TOPIC),
        format!(
            "{TOPIC} {}/{} {}/{}",
            spawn.len(),
            result.tests.len(),
            checker::report::points(spawn_points),
            checker::report::points(result.max_points())
        ),
        "{out}"
    );
    assert_eq!(
        row(&out, "spawn_named"),
        format!(
            "spawn_named {n}/{n} {p}/{p}",
            n = spawn.len(),
            p = checker::report::points(spawn_points)
        )
    );
    assert!(
        row(&out, "02_join_all").ends_with("not checked yet"),
        "{out}"
    );
    assert!(out.contains("Next: 01_thread_basics"), "{out}");
    assert!(
        !copy.path().join("target/threadlings/sandboxes").exists(),
        "list must not build anything"
    );

    // A student file saved after the last check marks the topic's results stale.
    let spawn_rs = fs::File::options()
        .write(true)
        .open(
            copy.path()
                .join("exercises")
                .join(TOPIC)
                .join("src/spawn.rs"),
        )
        .unwrap();
    spawn_rs
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(120))
        .unwrap();
    let out = stdout_of(xtask(copy.path()).arg("list"));
    assert!(
        row(&out, TOPIC).ends_with("(edited since the last check)"),
        "{out}"
    );

    let short = stdout_of(xtask(copy.path()).args(["list", "--short", "1"]));
    assert!(
        !short.contains("spawn_named") && short.contains(TOPIC),
        "{short}"
    );

    let err = failure_of(xtask(copy.path()).args(["list", "99"]), 2);
    assert!(err.contains("there is no topic \"99\""), "{err}");
}

#[test]
fn hints_show_one_more_level_each_call_in_either_language() {
    let copy = student_copy();
    let project = load(copy.path());
    let topic = project.find(TOPIC).unwrap().clone();
    let hints = hints::load(&project, &topic).unwrap();
    let task = hints.tasks[1].clone();
    let en = task.levels(Lang::En).to_vec();
    let zh = task.levels(Lang::Zh).to_vec();
    // Hints are word-wrapped; compare their first words.
    let start = |hint: &str| {
        hint.split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let start_zh = |hint: &str| hint.chars().take(12).collect::<String>();

    let first = stdout_of(xtask(copy.path()).args(["hint", "1", &task.name]));
    assert!(first.contains("Hint 1 of 3"), "{first}");
    assert!(first.contains(&start(&en[0])), "{first}");
    assert!(!first.contains(&start(&en[1])), "{first}");

    let second = stdout_of(xtask(copy.path()).args(["hint", TOPIC, &task.name, "--lang", "zh"]));
    assert!(second.contains("提示 2/3"), "{second}");
    assert!(second.contains(&start_zh(&zh[0])), "{second}");
    assert!(second.contains(&start_zh(&zh[1])), "{second}");

    let third = stdout_of(
        xtask(copy.path())
            .args(["hint", "thread_basics", &task.name])
            .env(hints::LANG_VAR, "zh"),
    );
    assert!(third.contains("提示 3/3"), "{third}");
    assert!(third.contains(&start_zh(&zh[2])), "{third}");

    let fourth = stdout_of(xtask(copy.path()).args(["hint", "01", &task.name]));
    assert!(fourth.contains("Hint 3 of 3"), "{fourth}");
    assert!(fourth.contains("last hint"), "{fourth}");
    assert!(fourth.contains(&start(&en[2])), "{fourth}");

    // Other tasks keep their own level; the task's file also names it.
    let other = stdout_of(xtask(copy.path()).args(["hint", "01", &hints.tasks[0].file]));
    assert!(other.contains("Hint 1 of 3"), "{other}");

    // Without a task: the task of the first failing test of the last check.
    write_results(&project, &hints.tasks[0].name);
    let current = stdout_of(xtask(copy.path()).args(["hint", "01"]));
    let failing = hints
        .tasks
        .iter()
        .find(|t| t.name != hints.tasks[0].name)
        .unwrap();
    assert!(
        current.contains(&format!(" · {} (", failing.name)),
        "{current}"
    );

    // --restart starts over.
    let again = stdout_of(xtask(copy.path()).args(["hint", "01", &task.name, "--restart"]));
    assert!(again.contains("Hint 1 of 3"), "{again}");

    let err = failure_of(xtask(copy.path()).args(["hint", "01", "no_such_task"]), 2);
    assert!(err.contains("has no task \"no_such_task\""), "{err}");
    assert!(err.contains(&hints.tasks[0].name), "{err}");
    let err = failure_of(xtask(copy.path()).args(["hint", "nope"]), 2);
    assert!(err.contains("there is no topic \"nope\""), "{err}");
    failure_of(xtask(copy.path()).args(["hint", "01", "--lang", "fr"]), 2);
}

#[test]
fn reset_restores_student_files_only_and_asks_first() {
    let copy = student_copy();
    let project = load(copy.path());
    assert!(
        copy.path().join(checker::skeletons::STORE_DIR).is_dir(),
        "the release ships the pristine skeletons"
    );
    let topic = project.find(TOPIC).unwrap().clone();
    let dir = project.exercise_dir(&topic);
    let skeleton =
        |rel: &str| fs::read_to_string(repo().join("exercises").join(TOPIC).join(rel)).unwrap();
    let edit = |rel: &str| fs::write(dir.join(rel), "// my attempt\n").unwrap();
    let current = |rel: &str| fs::read_to_string(dir.join(rel)).unwrap();
    let (a, b) = (&topic.student_files[0], &topic.student_files[1]);
    edit(a);
    edit(b);
    edit("src/lib.rs");

    // Declined: nothing changes, exit 1.
    let out = failure_of(
        xtask(copy.path()).args(["reset", "01"]).write_stdin("n\n"),
        1,
    );
    assert!(out.contains(&format!("exercises/{TOPIC}/{a}")), "{out}");
    assert!(out.contains("Nothing was reset"), "{out}");
    assert_eq!(current(a), "// my attempt\n");
    // No answer at all (stdin closed) is a no.
    failure_of(xtask(copy.path()).args(["reset", "01"]).write_stdin(""), 1);
    assert_eq!(current(a), "// my attempt\n");

    // One file by its path, confirmed on stdin.
    let path = format!("exercises/{TOPIC}/{a}");
    let out = stdout_of(xtask(copy.path()).args(["reset", &path]).write_stdin("y\n"));
    assert!(out.contains(&format!("reset {path}")), "{out}");
    assert_eq!(current(a), skeleton(a));
    assert_eq!(current(b), "// my attempt\n");

    // The whole topic with --yes: student files only, a backup kept.
    let out = stdout_of(xtask(copy.path()).args(["reset", TOPIC, "--yes"]));
    assert!(
        out.contains(&format!("reset exercises/{TOPIC}/{b}")),
        "{out}"
    );
    assert_eq!(current(b), skeleton(b));
    assert_eq!(
        current("src/lib.rs"),
        "// my attempt\n",
        "given files are never touched"
    );
    let backups = copy.path().join("target/threadlings/reset-backups");
    let saved: Vec<PathBuf> = fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path().join(TOPIC).join(b))
        .collect();
    assert!(
        saved
            .iter()
            .any(|p| fs::read_to_string(p).is_ok_and(|t| t == "// my attempt\n")),
        "the replaced version is kept under {}",
        backups.display()
    );

    // Already pristine: nothing to do.
    let out = stdout_of(xtask(copy.path()).args(["reset", "--all", "--yes"]));
    assert!(out.contains("already the skeleton"), "{out}");

    // Bad input: a clear message and exit 2, nothing written.
    let err = failure_of(
        xtask(copy.path()).args(["reset", &format!("exercises/{TOPIC}/src/lib.rs"), "--yes"]),
        2,
    );
    assert!(err.contains("is not a student file"), "{err}");
    let err = failure_of(
        xtask(copy.path()).args(["reset", "01", "src/nope.rs", "--yes"]),
        2,
    );
    assert!(err.contains("src/nope.rs is not a student file"), "{err}");
    let err = failure_of(xtask(copy.path()).args(["reset", "nope", "--yes"]), 2);
    assert!(err.contains("there is no topic \"nope\""), "{err}");
    failure_of(xtask(copy.path()).arg("reset"), 2);
    assert_eq!(current("src/lib.rs"), "// my attempt\n");

    // Without the pristine copies (and no solutions/), reset refuses clearly.
    fs::remove_dir_all(copy.path().join(checker::skeletons::STORE_DIR)).unwrap();
    edit(a);
    let err = failure_of(xtask(copy.path()).args(["reset", "01", "--yes"]), 2);
    assert!(err.contains("skeletons"), "{err}");
    assert_eq!(current(a), "// my attempt\n");
}

#[test]
fn watch_rejects_an_unknown_topic() {
    let copy = student_copy();
    let err = failure_of(
        xtask(copy.path()).args(["watch", "99"]).write_stdin("q\n"),
        2,
    );
    assert!(err.contains("there is no topic \"99\""), "{err}");
}

#[test]
fn watch_rechecks_the_topic_whose_file_was_saved() {
    let copy = student_copy();
    // Builds share a directory kept between runs, so dependencies compile once.
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("student-watch");
    // Hint levels and results live there too: start them afresh.
    for state in ["hints.json", "last-check.json"] {
        let _ = fs::remove_file(work.join("threadlings").join(state));
    }
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["watch", "01"])
        .current_dir(copy.path())
        .env("CARGO_TARGET_DIR", &work)
        .env("NO_COLOR", "1")
        .env_remove(hints::LANG_VAR)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = common::Collected::from_stdout(&mut child);
    let screen = |part: &str| part.contains("tests passed") && part.contains("q: quit");

    // First verdict: the skeleton (a cold build of the dependencies may take minutes).
    let first = out.wait(0, Duration::from_secs(900), "the first verdict", screen);
    assert!(
        first.contains("threadlings watch · 01_thread_basics"),
        "{first}"
    );
    assert!(first.contains("✗ "), "{first}");
    assert!(first.contains("not implemented yet"), "{first}");
    assert!(!first.contains("✓ spawn_named"), "{first}");

    // Keys work while watching: a hint.
    let mark = out.now().len();
    child.stdin.as_mut().unwrap().write_all(b"h\n").unwrap();
    let hint = out.wait(mark, Duration::from_secs(60), "a hint", |p| {
        p.contains("Hint 1 of 3")
    });
    assert!(hint.contains("spawn_named"), "{hint}");

    // Save the reference spawn.rs: watch re-checks on its own and spawn_named passes.
    let mark = out.now().len();
    let solution = repo().join("solutions").join(TOPIC).join("src/spawn.rs");
    fs::write(
        copy.path()
            .join("exercises")
            .join(TOPIC)
            .join("src/spawn.rs"),
        fs::read(solution).unwrap(),
    )
    .unwrap();
    let second = out.wait(
        mark,
        Duration::from_secs(600),
        "a new verdict after the save",
        |p| p.contains("Checking 01_thread_basics") && screen(p),
    );
    assert!(second.contains("✓ spawn_named"), "{second}");
    // The saved file's tasks come first: here they pass, and the others still fail.
    assert!(
        second.contains("✓ src/spawn.rs, which you saved: every test of spawn_named passes."),
        "{second}"
    );
    let tasks_line = second
        .lines()
        .find(|line| line.contains("✓ spawn_named"))
        .unwrap_or_default();
    assert!(tasks_line.starts_with("✓ spawn_named"), "{second}");
    assert!(!second.contains("polling"), "file events arrived: {second}");

    child.stdin.as_mut().unwrap().write_all(b"q\n").unwrap();
    common::expect_exit(&mut child, "q");
}

#[test]
fn ctrl_c_stops_the_check_and_everything_its_tests_started() {
    let copy = student_copy();
    // A first_of that, given no tasks, starts a long-lived grandchild process
    // and then spins: only the checker could stop either of them.
    let marker = format!("threadlings-interrupt-{}", std::process::id());
    let reference = fs::read_to_string(repo().join("solutions/02_join_all/src/race.rs")).unwrap();
    let signature = "-> Option<(usize, T)> {\n";
    assert!(reference.contains(signature), "first_of's signature moved");
    let hostile = reference.replacen(
        signature,
        &format!(
            "{signature}    if tasks.is_empty() {{\n        \
             let _ = std::process::Command::new(\"sh\").args([\"-c\", \"sleep 300; echo {marker}\"]).spawn();\n        \
             loop {{ std::hint::spin_loop(); }}\n    }}\n"
        ),
        1,
    );
    fs::write(
        copy.path().join("exercises/02_join_all/src/race.rs"),
        hostile,
    )
    .unwrap();

    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("student-watch");
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "check",
            "02_join_all",
            "--test",
            "first_of_no_tasks_is_none",
        ])
        .current_dir(copy.path())
        .env("CARGO_TARGET_DIR", &work)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Wait for the grandchild (a cold build of the dependencies may take minutes).
    let start = Instant::now();
    while common::processes_mentioning(&marker).is_empty() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the check ended ({status}) before its test started the grandchild");
        }
        assert!(
            start.elapsed() < Duration::from_secs(900),
            "the test never started its grandchild"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let sent = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT failed");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the check did not stop on Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        status.code(),
        Some(130),
        "an interrupted check exits with 130"
    );

    // The spinning test and its grandchild are gone (killing takes a moment).
    let start = Instant::now();
    loop {
        let left = common::processes_mentioning(&marker);
        if left.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "processes outlived the interrupted check: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_unchanged_topic_is_not_run_again_until_something_changes() {
    let copy = student_copy();
    // The watch test's shared builds; no other test here checks topic 03.
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("student-watch");
    let check = |extra: &[&str]| -> (serde_json::Value, String) {
        let out = xtask(copy.path())
            .args(["check", "03_daemon_threads"])
            .args(extra)
            .env("CARGO_TARGET_DIR", &work)
            // The first check may build the sandboxes' dependencies cold.
            .timeout(Duration::from_secs(900))
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let text = String::from_utf8(out).unwrap();
        let json = if extra.contains(&"json") {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        } else {
            serde_json::Value::Null
        };
        (json, text)
    };
    let reused = |json: &serde_json::Value| json["topics"][0]["reused"] == true;
    let verdicts = |json: &serde_json::Value| -> Vec<(String, String)> {
        let tests = json["topics"][0]["tests"].as_array().unwrap();
        assert!(!tests.is_empty(), "{json}");
        tests
            .iter()
            .map(|t| (t["name"].to_string(), t["message"].to_string()))
            .collect()
    };

    // The skeleton: every test stops at a todo!(), which no re-run changes.
    let (fresh, _) = check(&["--fresh", "--format", "json"]);
    assert!(!reused(&fresh), "--fresh reused a result: {fresh}");
    assert!(
        verdicts(&fresh)
            .iter()
            .all(|(_, message)| message.contains("not implemented yet")),
        "{fresh}"
    );
    let (again, _) = check(&["--format", "json"]);
    assert!(reused(&again), "an unchanged skeleton ran again: {again}");
    assert_eq!(verdicts(&again), verdicts(&fresh));
    let (_, human) = check(&["--verbose"]);
    assert!(
        human.contains("unchanged since its last check: not run again (--fresh runs it)")
            && human.contains("1 topic unchanged, not run again"),
        "{human}"
    );

    // Any change to a student file runs the topic again, and the new result is kept.
    let runtime = copy
        .path()
        .join("exercises/03_daemon_threads/src/runtime.rs");
    let skeleton = fs::read_to_string(&runtime).unwrap();
    fs::write(&runtime, format!("{skeleton}\n// a note to self\n")).unwrap();
    let (edited, _) = check(&["--format", "json"]);
    assert!(
        !reused(&edited),
        "an edited topic was not run again: {edited}"
    );
    let (edited_again, _) = check(&["--format", "json"]);
    assert!(reused(&edited_again), "{edited_again}");

    // `--repeat` runs again, and what passed N runs stands for a plain check.
    let (repeated, _) = check(&["--repeat", "2", "--format", "json"]);
    assert!(!reused(&repeated), "--repeat reused a result: {repeated}");
    let (after_repeat, _) = check(&["--format", "json"]);
    assert!(reused(&after_repeat), "{after_repeat}");

    // Any other outcome is never kept (here: a compile error).
    fs::write(
        &runtime,
        format!("{skeleton}\nfn broken() -> u8 {{ \"no\" }}\n"),
    )
    .unwrap();
    for _ in 0..2 {
        let (broken, _) = check(&["--format", "json"]);
        assert!(!reused(&broken), "a compile error was reused: {broken}");
        assert_eq!(
            broken["topics"][0]["problem"]["kind"], "compile_error",
            "{broken}"
        );
    }
}
