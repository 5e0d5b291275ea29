//! Progressive hints: loading, validating and choosing them (data only).
//!
//! Hints live beside each topic, in `exercises/NN_topic/hints.toml`: three levels
//! per task, from a gentle nudge to nearly the answer, in English (`en`) and
//! Chinese (`zh`). How many levels a student has already seen is the command
//! line's business (`cargo xtask hint` keeps it); [`Hints::current`] is told.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::check::TopicResult;
use crate::judge::Failure;
use crate::project::{Project, Topic};

/// Hint levels per task and language.
pub const LEVELS: usize = 3;

/// The environment variable choosing the hint language (`en` or `zh`).
pub const LANG_VAR: &str = "THREADLINGS_LANG";

/// The language hints are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese (中文).
    Zh,
}

impl Lang {
    /// Parses `en`, `zh` and their usual spellings (`zh-CN`, `zh_CN.UTF-8`, `中文`, `english`).
    pub fn parse(text: &str) -> Result<Lang> {
        let lower = text.trim().to_ascii_lowercase();
        if lower == "en"
            || lower.starts_with("en_")
            || lower.starts_with("en-")
            || lower == "english"
        {
            Ok(Lang::En)
        } else if lower == "zh"
            || lower.starts_with("zh_")
            || lower.starts_with("zh-")
            || lower == "chinese"
            || lower == "cn"
            || text.trim() == "中文"
        {
            Ok(Lang::Zh)
        } else {
            bail!("unknown language {text:?}: use en (English) or zh (中文)")
        }
    }

    /// The language asked for: the command-line choice, else [`LANG_VAR`], else English.
    pub fn resolve(flag: Option<Lang>) -> Result<Lang> {
        if let Some(lang) = flag {
            return Ok(lang);
        }
        match std::env::var(LANG_VAR) {
            Ok(value) if !value.trim().is_empty() => {
                Lang::parse(&value).with_context(|| format!("{LANG_VAR}={value}"))
            }
            _ => Ok(Lang::En),
        }
    }

    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// The hints of one task.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskHints {
    /// The contract function or type the hints are about (a manifest `task`).
    pub name: String,
    /// The student file it lives in, relative to the topic crate (`src/join.rs`).
    pub file: String,
    /// English hints, gentlest first.
    pub en: Vec<String>,
    /// Chinese hints, gentlest first.
    pub zh: Vec<String>,
}

impl TaskHints {
    /// The hints in `lang`, gentlest first.
    pub fn levels(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HintsFile {
    #[serde(default)]
    task: Vec<TaskHints>,
}

/// Every task's hints of one topic, in file order.
#[derive(Debug, Clone)]
pub struct Hints {
    /// Topic directory name.
    pub topic: String,
    /// Per task.
    pub tasks: Vec<TaskHints>,
}

/// `exercises/NN_topic/hints.toml`.
pub fn path(project: &Project, topic: &Topic) -> PathBuf {
    project.exercise_dir(topic).join("hints.toml")
}

/// Loads and checks a topic's hints: [`LEVELS`] non-empty hints per task in
/// each language, task names unique.
pub fn load(project: &Project, topic: &Topic) -> Result<Hints> {
    let path = path(project, topic);
    let text = fs::read_to_string(&path)
        .with_context(|| format!("{} has no hints: cannot read {}", topic.dir, path.display()))?;
    let parsed: HintsFile =
        toml::from_str(&text).with_context(|| format!("{} is malformed", path.display()))?;
    if parsed.task.is_empty() {
        bail!("{} lists no [[task]]", path.display());
    }
    for (i, task) in parsed.task.iter().enumerate() {
        if parsed.task[..i].iter().any(|t| t.name == task.name) {
            bail!("{}: task {:?} is listed twice", path.display(), task.name);
        }
        for (lang, levels) in [("en", &task.en), ("zh", &task.zh)] {
            if levels.len() != LEVELS || levels.iter().any(|h| h.trim().is_empty()) {
                bail!(
                    "{}: task {:?} must have {LEVELS} non-empty `{lang}` hints (has {})",
                    path.display(),
                    task.name,
                    levels.iter().filter(|h| !h.trim().is_empty()).count()
                );
            }
        }
    }
    Ok(Hints {
        topic: topic.dir.clone(),
        tasks: parsed.task,
    })
}

/// What an author should fix in a topic's hints, checked against the project:
/// every hinted task is graded by the manifest and lives in a student file, and
/// every graded task except `demo` has hints.
pub fn problems(project: &Project, topic: &Topic, hints: &Hints) -> Vec<String> {
    let mut out = Vec::new();
    let graded: Vec<String> = match project.manifest(topic) {
        Ok(manifest) => manifest.tests.iter().map(|t| t.task.clone()).collect(),
        Err(e) => return vec![format!("{}: {e:#}", topic.dir)],
    };
    for task in &hints.tasks {
        if !topic.student_files.contains(&task.file) {
            out.push(format!(
                "{}: task {:?} names {:?}, which is not a student file ({})",
                topic.dir,
                task.name,
                task.file,
                topic.student_files.join(", ")
            ));
        }
        if !graded.contains(&task.name) {
            out.push(format!(
                "{}: task {:?} has hints but no test in the manifest grades it",
                topic.dir, task.name
            ));
        }
    }
    for (i, name) in graded.iter().enumerate() {
        if name != "demo"
            && !graded[..i].contains(name)
            && !hints.tasks.iter().any(|t| &t.name == name)
        {
            out.push(format!("{}: task {name:?} has no hints", topic.dir));
        }
    }
    out
}

impl Hints {
    /// Finds a task by name (`join_all`), or by its file (`src/join.rs`,
    /// `join.rs`, `join`) when that file holds one task only.
    pub fn find(&self, wanted: &str) -> Result<&TaskHints> {
        if let Some(task) = self.tasks.iter().find(|t| t.name == wanted) {
            return Ok(task);
        }
        let stem = |file: &str| {
            let name = file.rsplit('/').next().unwrap_or(file);
            name.strip_suffix(".rs").unwrap_or(name).to_owned()
        };
        let by_file: Vec<&TaskHints> = self
            .tasks
            .iter()
            .filter(|t| t.file == wanted || stem(&t.file) == stem(wanted))
            .collect();
        match by_file.as_slice() {
            [one] => Ok(one),
            [] => bail!(
                "{} has no task {wanted:?}; its tasks are: {}",
                self.topic,
                self.names()
            ),
            several => bail!(
                "{wanted:?} holds several tasks of {}: {}; name one of them",
                self.topic,
                several
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The task names, comma separated.
    pub fn names(&self) -> String {
        self.tasks
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The task a student most likely wants a hint for, when none is named:
    /// when the topic did not compile, the first task whose file the compiler
    /// names; else the task of the first failing test of the last check that
    /// has hints; without a check result, the first task whose hints are not
    /// all seen yet (`seen` gives the levels seen of a task of this topic, by
    /// name). `None` when the last check passed every hinted task.
    pub fn current<'a>(
        &'a self,
        last: Option<&TopicResult>,
        seen: &dyn Fn(&str) -> usize,
    ) -> Option<&'a TaskHints> {
        if let Some(Failure::CompileError { message }) = last.and_then(|r| r.problem.as_ref()) {
            let in_message =
                |t: &&TaskHints| message.contains(&format!("{}/{}", self.topic, t.file));
            if let Some(task) = self.tasks.iter().find(in_message) {
                return Some(task);
            }
        }
        match last {
            Some(result) if !result.tests.is_empty() => result
                .tests
                .iter()
                .filter(|t| !t.verdict.passed())
                .find_map(|t| self.tasks.iter().find(|h| h.name == t.task)),
            _ => self
                .tasks
                .iter()
                .find(|t| seen(&t.name) < LEVELS)
                .or_else(|| self.tasks.first()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse("zh").unwrap(), Lang::Zh);
        assert_eq!(Lang::parse("zh_CN.UTF-8").unwrap(), Lang::Zh);
        assert_eq!(Lang::parse("中文").unwrap(), Lang::Zh);
        assert_eq!(Lang::parse("EN").unwrap(), Lang::En);
        assert!(Lang::parse("fr").is_err());
    }

    fn task(name: &str, file: &str) -> TaskHints {
        let three = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        TaskHints {
            name: name.into(),
            file: file.into(),
            en: three.clone(),
            zh: three,
        }
    }

    fn test_result(task: &str, failure: Option<Failure>) -> crate::check::TestResult {
        crate::check::TestResult {
            name: format!("{task}_test"),
            task: task.into(),
            visibility: crate::manifest::Visibility::Public,
            max_points: 1.0,
            points: if failure.is_none() { 1.0 } else { 0.0 },
            verdict: crate::judge::Verdict {
                failure,
                notes: Vec::new(),
            },
            timeline: None,
            seconds: 0.0,
        }
    }

    #[test]
    fn the_current_task_follows_the_last_check() {
        let hints = Hints {
            topic: "02_join_all".into(),
            tasks: vec![
                task("join_all", "src/join.rs"),
                task("first_of", "src/race.rs"),
            ],
        };
        // No check yet: the first task, then the first not fully seen.
        let nothing_seen = |_: &str| 0;
        assert_eq!(hints.current(None, &nothing_seen).unwrap().name, "join_all");
        let join_all_seen = |task: &str| if task == "join_all" { LEVELS } else { 0 };
        assert_eq!(
            hints.current(None, &join_all_seen).unwrap().name,
            "first_of"
        );
        let all_seen = |_: &str| LEVELS;
        assert_eq!(hints.current(None, &all_seen).unwrap().name, "join_all");
        let state = join_all_seen;

        let todo = || {
            Some(Failure::NotImplemented {
                location: "src/x.rs:1".into(),
            })
        };
        let mut result = TopicResult {
            topic: "02_join_all".into(),
            problem: None,
            reused: false,
            tests: vec![
                test_result("join_all", None),
                test_result("demo", todo()),
                test_result("first_of", todo()),
            ],
        };
        // The first failing test that has hints (the demo has none).
        assert_eq!(
            hints.current(Some(&result), &state).unwrap().name,
            "first_of"
        );
        // Everything hinted passes: nothing to hint.
        result.tests[2] = test_result("first_of", None);
        assert!(hints.current(Some(&result), &state).is_none());
        // A compile error: the task whose file the compiler names.
        let error = Failure::CompileError {
            message: "error[E0308]: mismatched types\n --> exercises/02_join_all/src/race.rs:3:5"
                .into(),
        };
        result.problem = Some(error.clone());
        result.tests = vec![
            test_result("join_all", Some(error.clone())),
            test_result("first_of", Some(error)),
        ];
        assert_eq!(
            hints.current(Some(&result), &state).unwrap().name,
            "first_of"
        );
    }

    /// Every topic's hints.toml is well formed and matches its manifest.
    #[test]
    fn every_topic_has_valid_hints() {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let project = Project::load(&root).unwrap();
        if !project.has_solutions() {
            // A student release: its manifests list only the public tests.
            return;
        }
        let mut problems = Vec::new();
        for topic in &project.topics {
            match load(&project, topic) {
                Ok(hints) => problems.extend(super::problems(&project, topic, &hints)),
                Err(e) => problems.push(format!("{e:#}")),
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
