//! `cargo xtask bless`: regenerate snapshots from the reference solutions.

use crate::ui::Paint;
use crate::{CommandError, Outcome};

/// Arguments of `cargo xtask bless`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to bless; all when none is given.
    pub topics: Vec<String>,
}

/// Runs the solutions with snapshot writing allowed, then reports what changed.
pub fn run(args: Args) -> Outcome {
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
        print!("{}", crate::check::table(&report, Paint::stdout()));
        println!(
            "the reference solutions do not pass every test: fix them before trusting these snapshots"
        );
        return Err(CommandError::Unsuccessful);
    }
    Ok(())
}
