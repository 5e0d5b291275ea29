//! Static checks of every topic's suite, without compiling anything: manifests
//! and test files agree, points add up, skeletons and solutions are in place.

mod common;

use std::collections::BTreeSet;
use std::fs;

use checker::manifest::Visibility;

/// `#[test]` function names of a Rust test file.
fn test_functions(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending = false;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("#[test]") {
            pending = true;
            continue;
        }
        if pending && let Some(rest) = line.strip_prefix("fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
            pending = false;
        }
    }
    names
}

#[test]
fn every_topic_has_a_complete_manifest_worth_100_points() {
    let project = common::project();
    assert_eq!(project.topics.len(), 6, "the curriculum has six topics");
    for topic in &project.topics {
        let manifest = project
            .manifest(topic)
            .unwrap_or_else(|e| panic!("{}: {e:#}", topic.dir));
        let total = manifest.total_points();
        assert!(
            (total - 100.0).abs() < 1e-9,
            "{}: points add up to {total}, not 100",
            topic.dir
        );
        let listed: BTreeSet<String> = manifest.tests.iter().map(|t| t.name.clone()).collect();
        let mut written = BTreeSet::new();
        for visibility in [Visibility::Public, Visibility::Hidden] {
            let dir = project.suite_dir(topic).join(visibility.folder());
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.map(|e| e.expect("entry")) {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "rs") {
                    let text = fs::read_to_string(&path).expect("test file readable");
                    for name in test_functions(&text) {
                        assert!(
                            written.insert(name.clone()),
                            "{}: test {name} is defined twice",
                            topic.dir
                        );
                    }
                }
            }
        }
        let unlisted: Vec<_> = written.difference(&listed).collect();
        let missing: Vec<_> = listed.difference(&written).collect();
        assert!(
            unlisted.is_empty() && missing.is_empty(),
            "{}: tests not in the manifest: {unlisted:?}; manifest entries without a test: {missing:?}",
            topic.dir
        );
        assert!(
            manifest
                .tests
                .iter()
                .any(|t| t.visibility == Visibility::Public)
                && manifest
                    .tests
                    .iter()
                    .any(|t| t.visibility == Visibility::Hidden),
            "{}: needs both public and hidden tests",
            topic.dir
        );
    }
}

#[test]
fn skeletons_and_solutions_provide_every_student_file() {
    let project = common::project();
    for topic in &project.topics {
        for rel in &topic.student_files {
            let skeleton = project.exercise_dir(topic).join(rel);
            let solution = project.solution_dir(topic).join(rel);
            let skeleton_text = fs::read_to_string(&skeleton)
                .unwrap_or_else(|e| panic!("{}: {e}", skeleton.display()));
            let solution_text = fs::read_to_string(&solution)
                .unwrap_or_else(|e| panic!("{}: {e}", solution.display()));
            assert!(
                skeleton_text.contains("todo!()"),
                "{} should be a skeleton with todo!() bodies",
                skeleton.display()
            );
            assert!(
                !solution_text.contains("todo!()") && !solution_text.contains("unimplemented!()"),
                "{} must be complete",
                solution.display()
            );
        }
        for lesson in ["README.md", "README.zh.md", "hints.toml"] {
            assert!(
                project.exercise_dir(topic).join(lesson).is_file(),
                "{} has no {lesson}",
                topic.dir
            );
        }
    }
}

#[test]
fn test_function_finder_reads_attributes_and_names() {
    let source = "#[test]\nfn alpha() {}\n\nfn helper() {}\n#[test]\n    fn beta_2() {}\n";
    assert_eq!(test_functions(source), vec!["alpha", "beta_2"]);
}
