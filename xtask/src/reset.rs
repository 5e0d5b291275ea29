//! `cargo xtask reset TOPIC [FILE...] | --all`: put the skeleton back into a
//! topic's student files, after asking. Nothing but student files is written;
//! the replaced versions are kept under `target/threadlings/reset-backups/`.

use std::fs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use checker::{Project, Topic};

use crate::{CommandError, Outcome};

/// Arguments of `cargo xtask reset`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["target", "all"]))]
pub struct Args {
    /// A topic (`02`, `02_join_all`, `join_all`) or a student file
    /// (`exercises/02_join_all/src/join.rs`).
    pub target: Option<String>,
    /// Only these student files of the topic (`src/join.rs`, `join.rs` or `join`).
    pub files: Vec<String>,
    /// Reset every topic.
    #[arg(long, conflicts_with_all = ["target", "files"])]
    pub all: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// One student file to restore.
struct Restore {
    topic: Topic,
    rel: String,
    pristine: Vec<u8>,
}

impl Restore {
    fn path(&self, project: &Project) -> PathBuf {
        project.exercise_dir(&self.topic).join(&self.rel)
    }

    fn shown(&self) -> String {
        format!("exercises/{}/{}", self.topic.dir, self.rel)
    }
}

/// Restores the files: exit 0 when done (or nothing to do), 1 when declined,
/// 2 for an unknown topic or file.
pub fn run(args: Args) -> Outcome {
    let project = crate::project()?;
    let wanted = targets(&project, &args)?;
    let mut restores = Vec::new();
    for (topic, rel) in wanted {
        let pristine = checker::skeletons::pristine(&project, &topic, &rel)?;
        restores.push(Restore {
            topic,
            rel,
            pristine: pristine.content,
        });
    }
    let changed: Vec<&Restore> = restores
        .iter()
        .filter(|r| fs::read(r.path(&project)).ok().as_deref() != Some(r.pristine.as_slice()))
        .collect();
    if changed.is_empty() {
        println!(
            "{} already the skeleton: nothing to reset.",
            if restores.len() == 1 {
                format!("{} is", restores[0].shown())
            } else {
                format!("all {} files are", restores.len())
            }
        );
        return Ok(());
    }
    println!("These files will get their skeleton back; your changes in them will be lost:");
    for r in &changed {
        println!("  {}", r.shown());
    }
    if !args.yes && !confirm()? {
        println!("Nothing was reset.");
        return Err(CommandError::Unsuccessful);
    }
    let backup = backup_dir(&project);
    for r in &changed {
        let path = r.path(&project);
        if let Ok(old) = fs::read(&path) {
            let saved = backup.join(&r.topic.dir).join(&r.rel);
            if let Some(parent) = saved.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::write(&saved, old).with_context(|| format!("cannot write {}", saved.display()))?;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, &r.pristine)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("reset {}", r.shown());
    }
    println!(
        "Your previous versions are saved in {}",
        backup
            .strip_prefix(&project.root)
            .unwrap_or(&backup)
            .display()
    );
    Ok(())
}

/// The (topic, student file) pairs named on the command line.
fn targets(project: &Project, args: &Args) -> Result<Vec<(Topic, String)>> {
    let all_of = |topic: &Topic| {
        topic
            .student_files
            .iter()
            .map(|rel| (topic.clone(), rel.clone()))
            .collect::<Vec<_>>()
    };
    if args.all {
        return Ok(project.topics.iter().flat_map(all_of).collect());
    }
    let Some(target) = &args.target else {
        bail!("name a topic to reset, or --all");
    };
    // A path to a student file: exercises/NN_topic/src/x.rs (relative or absolute).
    if target.ends_with(".rs") && (target.contains('/') || target.contains('\\')) {
        if !args.files.is_empty() {
            bail!("name either a topic and its files, or one file path");
        }
        return Ok(vec![file_by_path(project, target)?]);
    }
    let topic = project.find(target)?;
    if args.files.is_empty() {
        return Ok(all_of(topic));
    }
    args.files
        .iter()
        .map(|f| Ok((topic.clone(), student_file(topic, f)?)))
        .collect()
}

/// `src/join.rs`, `join.rs` or `join` → `src/join.rs` when it is a student file.
fn student_file(topic: &Topic, name: &str) -> Result<String> {
    let name = name.replace('\\', "/");
    let stem = |f: &str| {
        let base = f.rsplit('/').next().unwrap_or(f);
        base.strip_suffix(".rs").unwrap_or(base).to_owned()
    };
    let found = topic
        .student_files
        .iter()
        .find(|f| **f == name || (!name.contains('/') && stem(f) == stem(&name)));
    match found {
        Some(f) => Ok(f.clone()),
        None => bail!(
            "{name} is not a student file of {}; reset only restores these: {}",
            topic.dir,
            topic.student_files.join(", ")
        ),
    }
}

fn file_by_path(project: &Project, target: &str) -> Result<(Topic, String)> {
    let given = Path::new(target);
    let absolute = if given.is_absolute() {
        given.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(given)
    };
    let absolute = normalize(&absolute);
    let exercises = project.root.join("exercises");
    let Ok(rel) = absolute.strip_prefix(&exercises) else {
        bail!("{target} is not inside {}", exercises.display());
    };
    let rel = rel.to_string_lossy().replace('\\', "/");
    let Some((dir, file)) = rel.split_once('/') else {
        bail!("{target} is not a file of a topic");
    };
    let topic = project
        .topics
        .iter()
        .find(|t| t.dir == dir)
        .with_context(|| format!("{target}: there is no topic {dir:?}"))?;
    if !topic.student_files.iter().any(|f| f == file) {
        bail!(
            "{target} is not a student file of {}; reset only restores these: {}",
            topic.dir,
            topic.student_files.join(", ")
        );
    }
    Ok((topic.clone(), file.to_owned()))
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Asks on the terminal (or reads one line of piped input): yes or no.
fn confirm() -> Result<bool> {
    print!("Reset them? [y/N] ");
    std::io::stdout().flush().ok();
    let stdin = std::io::stdin();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).unwrap_or(0);
    if read == 0 && !stdin.is_terminal() {
        println!();
        println!("(no answer on standard input; pass --yes to reset without asking)");
    }
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes" || answer == "是")
}

fn backup_dir(project: &Project) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    project
        .work_dir()
        .join("reset-backups")
        .join(stamp.to_string())
}
