//! `cargo xtask`: the threadlings command line, a thin layer over the checker.

mod bless;
mod check;
mod grade;
mod hint;
mod list;
mod merge;
mod release;
mod reset;
mod ui;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

/// Graded concurrency exercises.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check topics against their tests and show the verdicts.
    Check(check::Args),
    /// Re-check the topic being edited on every save.
    Watch(watch::Args),
    /// Progress table: topics, tests passed, points (from the last check).
    List(list::Args),
    /// The next hint for a topic, one level more each call.
    Hint(hint::Args),
    /// Restore a topic's skeleton files (asks first).
    Reset(reset::Args),
    /// Grade a folder of submissions (instructors).
    Grade(grade::Args),
    /// Join the outputs of sharded grading runs (instructors).
    Merge(merge::Args),
    /// Write the student repository (instructors).
    Release(release::Args),
    /// Regenerate snapshots from solutions/ (authors).
    Bless(bless::Args),
}

fn main() -> ExitCode {
    // A sandbox build runs this binary again as cargo's rustc wrapper.
    if let Some(code) = checker::compile::wrapper::main_if_wrapper() {
        return code;
    }
    let cli = Cli::parse();
    stop_tests_on_interrupt();
    let outcome = match cli.command {
        Command::Check(args) => check::run(args),
        // watch still returns its own exit code (its split into watch/ adopts `Outcome`).
        Command::Watch(args) => match watch::run(args) {
            Ok(code) => return code,
            Err(e) => Err(CommandError::from(e)),
        },
        Command::List(args) => list::run(args),
        Command::Hint(args) => hint::run(args),
        Command::Reset(args) => reset::run(args),
        Command::Grade(args) => grade::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Release(args) => release::run(args),
        Command::Bless(args) => bless::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.exit(),
    }
}

/// What a command returns: `Ok` is exit code 0.
pub type Outcome = Result<(), CommandError>;

/// Why a command did not succeed. [`CommandError::exit`] is the one map from
/// these to exit codes (DESIGN.md's CLI contract). A plain [`anyhow::Error`]
/// converts to [`CommandError::Usage`], so `?` gives the usual exit code 2.
#[derive(Debug)]
pub enum CommandError {
    /// The command did its work and the answer is no, already printed: a test
    /// failed (`check`, `bless`), a reset was declined. Exit code 1.
    Unsuccessful,
    /// Bad usage or setup: an unknown topic, a missing folder, a machine that
    /// cannot confine student code. Exit code 2.
    Usage(anyhow::Error),
    /// The grader itself failed (`grade`: results are still written; `merge`:
    /// the merged files cannot be written). Exit code 3.
    Grader(anyhow::Error),
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> CommandError {
        CommandError::Usage(error)
    }
}

impl CommandError {
    /// An error out of the grading engine: bad usage (shown by its message
    /// alone), else the grader's failure.
    pub fn from_grading(error: checker::grading::GradeError) -> CommandError {
        match error {
            checker::grading::GradeError::Usage(usage) => {
                CommandError::Usage(anyhow::Error::msg(usage.0))
            }
            checker::grading::GradeError::Failed(error) => CommandError::Grader(error),
        }
    }

    /// Prints the message (if any) to stderr and returns the exit code.
    pub fn exit(self) -> ExitCode {
        match self {
            CommandError::Unsuccessful => ExitCode::from(1),
            CommandError::Usage(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
            CommandError::Grader(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(3)
            }
        }
    }
}

/// On Ctrl-C (SIGINT, also SIGTERM and SIGHUP) kills the tests still running,
/// then exits with 130. Each test runs in a process group of its own, which the
/// terminal's signal does not reach: without this an endless student loop would
/// outlive the interrupted check.
fn stop_tests_on_interrupt() {
    let installed = ctrlc::set_handler(|| {
        checker::run::kill_running_tests();
        std::process::exit(130);
    });
    if let Err(e) = installed {
        eprintln!("warning: cannot handle Ctrl-C ({e}); tests may outlive an interrupted check");
    }
}

/// The project this command works on: the nearest folder above the current one
/// holding `checker/suites/topics.toml`, else the checkout xtask was built in.
pub fn project() -> Result<checker::Project> {
    let marker = "checker/suites/topics.toml";
    let start = std::env::current_dir().unwrap_or_default();
    let root = start
        .ancestors()
        .find(|dir| dir.join(marker).is_file())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
    checker::Project::load(&root)
}
