//! `cargo xtask`: the threadlings command line, a thin layer over the checker.

mod bless;
mod check;
mod ui;

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
    /// Regenerate snapshots from solutions/ (authors).
    Bless(bless::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Bless(args) => bless::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
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
