//! The release's Cargo manifests, made to fit what the release ships.
//!
//! The instructor workspace declares things a student never gets: a benchmark
//! under `checker/benches/`, test targets under `tests/`, perhaps a member or a
//! path dependency that stays behind. Copied as they are, such manifests make
//! every cargo command of the release fail ("can't find `…` bench"). So after the
//! copy, every shipped `Cargo.toml` is rewritten from what is really there:
//!
//! - explicit targets (`[[bench]]`, `[[test]]`, `[[example]]`, `[[bin]]`) whose
//!   source file did not ship are removed;
//! - workspace `members` / `default-members` that did not ship are removed;
//! - path dependencies (in `[workspace.dependencies]` or a crate's own tables)
//!   whose folder did not ship are removed.
//!
//! Dev-dependencies that did ship stay: unit tests inside `src/` use them, and
//! keeping them keeps `Cargo.lock` valid as it is (`--locked` works in the release).
//! Comments and layout are kept (`toml_edit`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use toml_edit::{DocumentMut, Item, Table};

/// What was removed from one manifest, for the release's log.
#[derive(Debug, Default)]
pub struct Pruned {
    /// `checker/Cargo.toml: [[bench]] queue_throughput`, one entry per removal.
    pub removed: Vec<String>,
}

/// Rewrites every `Cargo.toml` below `out` so that it declares only what exists there.
pub fn fit_to_release(out: &Path) -> Result<Pruned> {
    let mut pruned = Pruned::default();
    for manifest in manifests_below(out)? {
        let rel = manifest
            .strip_prefix(out)
            .unwrap_or(&manifest)
            .display()
            .to_string();
        let text = fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?;
        let mut doc: DocumentMut = text
            .parse()
            .with_context(|| format!("{rel} is not valid TOML"))?;
        let dir = manifest.parent().unwrap_or(out);
        let mut removed = Vec::new();
        prune_targets(&mut doc, dir, &mut removed);
        prune_dependencies(doc.as_table_mut(), dir, &mut removed);
        if let Some(Item::Table(workspace)) = doc.get_mut("workspace") {
            prune_members(workspace, dir, &mut removed);
            if let Some(Item::Table(deps)) = workspace.get_mut("dependencies") {
                prune_path_entries(deps, dir, "[workspace.dependencies]", &mut removed);
            }
        }
        if let Some(Item::Table(lib)) = doc.get("lib")
            && let Some(path) = lib.get("path").and_then(Item::as_str)
            && !dir.join(path).is_file()
        {
            bail!("{rel} declares a library at {path}, which the release does not ship");
        }
        if !removed.is_empty() {
            fs::write(&manifest, doc.to_string())
                .with_context(|| format!("cannot write {}", manifest.display()))?;
            pruned
                .removed
                .extend(removed.into_iter().map(|r| format!("{rel}: {r}")));
        }
    }
    Ok(pruned)
}

/// Every `Cargo.toml` below `root`, outside `target/`.
fn manifests_below(root: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() && entry.file_name() != "target" && entry.file_name() != ".git" {
                stack.push(entry.path());
            } else if kind.is_file() && entry.file_name() == "Cargo.toml" {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Explicit targets whose source is missing, with the default place of each kind.
fn prune_targets(doc: &mut DocumentMut, dir: &Path, removed: &mut Vec<String>) {
    for (kind, default_dir) in [
        ("bench", "benches"),
        ("test", "tests"),
        ("example", "examples"),
        ("bin", "src/bin"),
    ] {
        let Some(Item::ArrayOfTables(targets)) = doc.get_mut(kind) else {
            continue;
        };
        targets.retain(|target| {
            let name = target.get("name").and_then(Item::as_str).unwrap_or("");
            let shipped = match target.get("path").and_then(Item::as_str) {
                Some(path) => dir.join(path).is_file(),
                None => {
                    let base = dir.join(default_dir);
                    base.join(format!("{name}.rs")).is_file()
                        || base.join(name).join("main.rs").is_file()
                        || (kind == "bin" && dir.join("src/main.rs").is_file())
                }
            };
            if !shipped {
                removed.push(format!("[[{kind}]] {name}"));
            }
            shipped
        });
        if targets.is_empty() {
            doc.remove(kind);
        }
    }
}

/// Path dependencies of a crate (all dependency tables, target-specific ones too)
/// whose folder did not ship.
fn prune_dependencies(table: &mut Table, dir: &Path, removed: &mut Vec<String>) {
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(Item::Table(deps)) = table.get_mut(section) {
            prune_path_entries(deps, dir, &format!("[{section}]"), removed);
        }
    }
    if let Some(Item::Table(targets)) = table.get_mut("target") {
        for (_, target) in targets.iter_mut() {
            if let Item::Table(target) = target {
                prune_dependencies(target, dir, removed);
            }
        }
    }
}

/// Removes the entries of a dependency table whose `path` does not exist.
fn prune_path_entries(deps: &mut Table, dir: &Path, section: &str, removed: &mut Vec<String>) {
    let missing: Vec<String> = deps
        .iter()
        .filter(|(_, spec)| {
            spec.get("path")
                .and_then(Item::as_str)
                .is_some_and(|path| !dir.join(path).join("Cargo.toml").is_file())
        })
        .map(|(name, _)| name.to_owned())
        .collect();
    for name in missing {
        deps.remove(&name);
        removed.push(format!("{section} {name}"));
    }
}

/// Workspace members (plain paths or one-level globs such as `exercises/*`) that did not ship.
fn prune_members(workspace: &mut Table, dir: &Path, removed: &mut Vec<String>) {
    for key in ["members", "default-members"] {
        let Some(members) = workspace.get_mut(key).and_then(Item::as_array_mut) else {
            continue;
        };
        members.retain(|member| {
            let Some(path) = member.as_str() else {
                return true;
            };
            let shipped = match path.strip_suffix("/*") {
                Some(parent) => dir.join(parent).is_dir(),
                None => dir.join(path).join("Cargo.toml").is_file(),
            };
            if !shipped {
                removed.push(format!("workspace {key} {path}"));
            }
            shipped
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_members_and_path_dependencies_that_did_not_ship_are_removed() {
        let out = tempfile::tempdir().unwrap();
        let root = out.path();
        fs::create_dir_all(root.join("kept/src")).unwrap();
        fs::create_dir_all(root.join("kept/benches")).unwrap();
        fs::write(root.join("kept/src/lib.rs"), "").unwrap();
        fs::write(root.join("kept/benches/shipped.rs"), "").unwrap();
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\n# members, kept comment\nmembers = [\"kept\", \"gone\", \"exercises/*\"]\n\
             [workspace.dependencies]\nkept = { path = \"kept\" }\ngone = { path = \"gone\" }\nserde = \"1\"\n",
        )
        .unwrap();
        fs::write(
            root.join("kept/Cargo.toml"),
            "[package]\nname = \"kept\"\n\n[dev-dependencies]\nserde.workspace = true\n\
             helper = { path = \"../gone\" }\n\n\
             [[bench]]\nname = \"shipped\"\nharness = false\n\n\
             [[bench]]\nname = \"instructor_only\"\nharness = false\n",
        )
        .unwrap();

        let pruned = fit_to_release(root).unwrap();
        let mut removed = pruned.removed.clone();
        removed.sort();
        assert_eq!(
            removed,
            [
                "Cargo.toml: [workspace.dependencies] gone",
                "Cargo.toml: workspace members exercises/*",
                "Cargo.toml: workspace members gone",
                "kept/Cargo.toml: [[bench]] instructor_only",
                "kept/Cargo.toml: [dev-dependencies] helper",
            ]
        );
        let workspace = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(workspace.contains("# members, kept comment"), "{workspace}");
        assert!(workspace.contains("members = [\"kept\"]"), "{workspace}");
        assert!(workspace.contains("serde = \"1\""), "{workspace}");
        let krate = fs::read_to_string(root.join("kept/Cargo.toml")).unwrap();
        assert!(krate.contains("name = \"shipped\""), "{krate}");
        assert!(!krate.contains("instructor_only"), "{krate}");
        assert!(krate.contains("serde.workspace = true"), "{krate}");
    }

    #[test]
    fn a_missing_library_is_an_error() {
        let out = tempfile::tempdir().unwrap();
        fs::write(
            out.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\n[lib]\npath = \"src/gone.rs\"\n",
        )
        .unwrap();
        let err = fit_to_release(out.path()).unwrap_err();
        assert!(format!("{err:#}").contains("src/gone.rs"), "{err:#}");
    }
}
