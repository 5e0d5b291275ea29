//! The project on disk: where topics, suites, solutions and build output live.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::manifest::Manifest;
use crate::sandbox::Sandbox;

/// One lesson topic, as listed in `checker/suites/topics.toml`.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Directory name, e.g. `02_join_all`.
    pub dir: String,
    /// Files a student edits, relative to the topic crate (`src/join.rs`).
    pub student_files: Vec<String>,
}

impl Topic {
    /// The two-digit number of the topic (`02`).
    pub fn number(&self) -> &str {
        self.dir.split('_').next().unwrap_or(&self.dir)
    }

    /// The topic without its number (`join_all`).
    pub fn short_name(&self) -> &str {
        self.dir.split_once('_').map_or(&self.dir, |(_, rest)| rest)
    }
}

#[derive(Deserialize)]
struct TopicsFile {
    topic: Vec<TopicEntry>,
}

#[derive(Deserialize)]
struct TopicEntry {
    dir: String,
    student_files: Vec<String>,
}

/// The threadlings checkout (instructor repository or student release).
#[derive(Debug, Clone)]
pub struct Project {
    /// The workspace root.
    pub root: PathBuf,
    /// Topics in teaching order.
    pub topics: Vec<Topic>,
}

impl Project {
    /// Loads the project rooted at `root`.
    pub fn load(root: &Path) -> Result<Project> {
        let root = root
            .canonicalize()
            .with_context(|| format!("project root {} does not exist", root.display()))?;
        let list = root.join("checker/suites/topics.toml");
        let text = fs::read_to_string(&list)
            .with_context(|| format!("cannot read the topic list {}", list.display()))?;
        let parsed: TopicsFile =
            toml::from_str(&text).with_context(|| format!("{} is malformed", list.display()))?;
        let topics = parsed
            .topic
            .into_iter()
            .map(|t| Topic {
                dir: t.dir,
                student_files: t.student_files,
            })
            .collect();
        Ok(Project { root, topics })
    }

    /// `exercises/NN_topic`: the canonical topic crate (given files and skeletons).
    pub fn exercise_dir(&self, topic: &Topic) -> PathBuf {
        self.root.join("exercises").join(&topic.dir)
    }

    /// `solutions/NN_topic`: the reference student files (absent in a student release).
    pub fn solution_dir(&self, topic: &Topic) -> PathBuf {
        self.root.join("solutions").join(&topic.dir)
    }

    /// `checker/suites/NN_topic`: tests, snapshots and the grading manifest.
    pub fn suite_dir(&self, topic: &Topic) -> PathBuf {
        self.root.join("checker/suites").join(&topic.dir)
    }

    /// The grading manifest of a topic.
    pub fn manifest(&self, topic: &Topic) -> Result<Manifest> {
        Manifest::load(&self.suite_dir(topic))
    }

    /// Whether this checkout has the reference solutions (an instructor repository).
    pub fn has_solutions(&self) -> bool {
        self.root.join("solutions").is_dir()
    }

    /// Whether any topic has hidden tests here (the instructor repository does,
    /// even with `solutions/` removed for grading; a student release does not).
    pub fn has_hidden_tests(&self) -> bool {
        self.topics
            .iter()
            .any(|topic| self.suite_dir(topic).join("hidden").is_dir())
    }

    /// Where the checker keeps sandboxes, the shared build directory and results.
    pub fn work_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("target"))
            .join("threadlings")
    }

    /// The sandbox of `topic` for the source with key `source_key`.
    pub fn sandbox(&self, source_key: &str, topic: &Topic) -> Sandbox {
        Sandbox::locate(&self.work_dir(), source_key, &topic.dir)
    }

    /// The folder holding every sandbox of the source with key `source_key`.
    pub fn sandboxes_of(&self, source_key: &str) -> PathBuf {
        Sandbox::source_root(&self.work_dir(), source_key)
    }

    /// Finds topics by name: `02`, `2`, `02_join_all` or `join_all`. Empty selects all.
    pub fn select(&self, names: &[String]) -> Result<Vec<Topic>> {
        if names.is_empty() {
            return Ok(self.topics.clone());
        }
        let mut selected = Vec::new();
        for name in names {
            let topic = self.find(name)?;
            if !selected.iter().any(|t: &Topic| t.dir == topic.dir) {
                selected.push(topic.clone());
            }
        }
        Ok(selected)
    }

    /// Finds one topic by name (see [`Project::select`]).
    pub fn find(&self, name: &str) -> Result<&Topic> {
        let name = name.trim_end_matches('/');
        let name = name.rsplit('/').next().unwrap_or(name);
        let wanted_number = name.parse::<u32>().ok();
        let found = self.topics.iter().find(|t| {
            t.dir == name
                || t.short_name() == name
                || (wanted_number.is_some() && t.number().parse::<u32>().ok() == wanted_number)
        });
        match found {
            Some(topic) => Ok(topic),
            None => {
                let known: Vec<&str> = self.topics.iter().map(|t| t.dir.as_str()).collect();
                bail!(
                    "there is no topic {name:?}; the topics are: {}",
                    known.join(", ")
                )
            }
        }
    }
}
