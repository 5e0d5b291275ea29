//! `cargo xtask bless`: regenerate snapshots from the reference solutions.

use std::process::ExitCode;

use anyhow::Result;

use crate::ui;

/// Arguments of `cargo xtask bless`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to bless; all when none is given.
    pub topics: Vec<String>,
}

/// Runs the solutions with snapshot writing allowed, then reports what changed.
pub fn run(args: Args) -> Result<ExitCode> {
    let project = crate::project()?;
    let topics = project.select(&args.topics)?;
    let (report, changed) = checker::bless::bless(&project, topics)?;
    for path in &changed {
        let shown = path.strip_prefix(&project.root).unwrap_or(path);
        println!("wrote {}", shown.display());
    }
    if changed.is_empty() {
        println!("every snapshot was already up to date");
    }
    if !report.all_passed() {
        print!("{}", checker::report::human(&report, ui::color_stdout()));
        println!(
            "the reference solutions do not pass every test: fix them before trusting these snapshots"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
