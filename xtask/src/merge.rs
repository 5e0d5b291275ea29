//! `cargo xtask merge`: join the outputs of sharded grading runs.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use checker::grading;

use crate::{CommandError, Outcome};

/// Arguments of `cargo xtask merge`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The output folders of `cargo xtask grade --shard I/N` runs.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged grades.csv, junit.xml, summary.md and <id>/ folders go.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

/// Runs `merge`: 0 merged, 2 bad usage (not grading outputs, a student in two shards), 3 cannot write.
pub fn run(args: Args) -> Outcome {
    let grading::Merged {
        info,
        results,
        origin,
        warnings,
    } = grading::merge(&args.dirs).map_err(CommandError::Usage)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    write(&args.out, &info, &results, &origin).map_err(CommandError::Grader)?;
    println!(
        "merged {} submissions from {} folders into {}",
        results.len(),
        args.dirs.len(),
        args.out.display()
    );
    Ok(())
}

fn write(
    out: &Path,
    info: &grading::RunInfo,
    results: &[grading::SubmissionResult],
    origin: &[(PathBuf, String)],
) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let out_canonical = out.canonicalize()?;
    for (dir, id) in origin {
        if dir.canonicalize().ok().as_deref() == Some(out_canonical.as_path()) {
            continue;
        }
        let target = out.join(id);
        fs::create_dir_all(&target)
            .with_context(|| format!("cannot create {}", target.display()))?;
        for name in ["results.json", "check.json"] {
            let from = dir.join(id).join(name);
            if from.is_file() {
                fs::copy(&from, target.join(name))
                    .with_context(|| format!("cannot copy {}", from.display()))?;
            }
        }
    }
    grading::write_aggregates(out, info, results)
}
