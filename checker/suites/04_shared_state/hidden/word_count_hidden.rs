//! Hidden tests of `src/word_count.rs`: random texts against a one-thread
//! count, and how much faster sharing less is.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared_state::{merge_count, shared_map_count};

/// The words texts are made of: a few very common ones, many rare ones.
fn vocabulary() -> Vec<String> {
    let common = ["the", "a", "lock", "thread", "and", "of", "The", "lock,"];
    common
        .iter()
        .map(|w| w.to_string())
        .chain((0..500).map(|i| format!("word{i}")))
        .collect()
}

/// `n` seeded random texts of up to `max_words` words, with assorted whitespace.
fn random_texts(seed: u64, n: usize, max_words: usize) -> Vec<String> {
    let vocabulary = vocabulary();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let words = rng.random_range(0..=max_words);
            let mut text = String::new();
            for _ in 0..words {
                // Common words most of the time, so that threads meet on the same keys.
                let word = if rng.random_bool(0.6) {
                    &vocabulary[rng.random_range(0..8)]
                } else {
                    &vocabulary[rng.random_range(0..vocabulary.len())]
                };
                text.push_str(word);
                text.push_str([" ", "  ", "\n", "\t", " \r\n"][rng.random_range(0..5)]);
            }
            text
        })
        .collect()
}

/// The count on one thread, written the simplest way.
fn reference_count(texts: &[&str]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in texts.iter().flat_map(|t| t.split_whitespace()) {
        *counts.entry(word.to_string()).or_insert(0) += 1;
    }
    counts
}

/// Describes how `got` differs from `expected`, for assertion messages.
fn difference(expected: &HashMap<String, usize>, got: &HashMap<String, usize>) -> String {
    let mut wrong: Vec<String> = expected
        .iter()
        .filter(|(w, n)| got.get(*w) != Some(n))
        .map(|(w, n)| format!("{w:?}: expected {n}, got {:?}", got.get(w)))
        .chain(
            got.keys()
                .filter(|w| !expected.contains_key(*w))
                .map(|w| format!("{w:?} should not be counted at all")),
        )
        .collect();
    wrong.sort();
    let shown = wrong.len().min(5);
    format!(
        "{} wrong words, e.g. {}",
        wrong.len(),
        wrong[..shown].join("; ")
    )
}

#[test]
fn random_texts_are_counted_exactly_on_any_thread_count() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..10, |seed| {
            let texts = random_texts(seed, 1 + seed as usize * 7, 300);
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let expected = reference_count(&texts);
            for threads in [0, 1, 2, 3, 4, 7, 16] {
                let shared = shared_map_count(&texts, threads);
                assert!(
                    shared == expected,
                    "shared_map_count on {} texts with {threads} threads: {}",
                    texts.len(),
                    difference(&expected, &shared)
                );
                let merged = merge_count(&texts, threads);
                assert!(
                    merged == expected,
                    "merge_count on {} texts with {threads} threads: {}. Are the private maps \
                     merged by adding counts (not overwriting them)?",
                    texts.len(),
                    difference(&expected, &merged)
                );
            }
        });
    });
}

#[test]
fn merge_count_is_faster_than_one_shared_map() {
    threadlings_harness::graded(|| {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(2, 4);
        let texts = random_texts(42, 2_000, 200);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let expected = reference_count(&texts);

        // Best of 3, alternating the two, so both see the same machine load.
        let (mut shared_best, mut merged_best) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            let start = Instant::now();
            let shared = shared_map_count(&texts, threads);
            shared_best = shared_best.min(start.elapsed());
            assert!(
                shared == expected,
                "shared_map_count: {}",
                difference(&expected, &shared)
            );

            let start = Instant::now();
            let merged = merge_count(&texts, threads);
            merged_best = merged_best.min(start.elapsed());
            assert!(
                merged == expected,
                "merge_count: {}",
                difference(&expected, &merged)
            );
        }

        let ratio = shared_best.as_secs_f64() / merged_best.as_secs_f64().max(1e-9);
        threadlings_harness::note(format!(
            "{} words on {threads} threads: shared_map_count {shared_best:.1?}, merge_count \
             {merged_best:.1?}: merge_count is {ratio:.1}x as fast",
            expected.values().sum::<usize>()
        ));
    });
}
