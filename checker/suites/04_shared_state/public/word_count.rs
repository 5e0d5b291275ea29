//! Public tests of `src/word_count.rs`: exact counts from both functions.

use std::collections::HashMap;

use shared_state::{merge_count, shared_map_count};

/// A word-count function under test.
type Counter = fn(&[&str], usize) -> HashMap<String, usize>;

const FUNCTIONS: [(&str, Counter); 2] = [
    ("shared_map_count", shared_map_count),
    ("merge_count", merge_count),
];

/// `pairs` as a map, for comparisons.
fn counts(pairs: &[(&str, usize)]) -> HashMap<String, usize> {
    pairs.iter().map(|&(w, n)| (w.to_string(), n)).collect()
}

#[test]
fn both_count_words_exactly() {
    threadlings_harness::graded(|| {
        let texts = ["the cat sat", "on  the\tmat\n", "", "The cat, the CAT"];
        let expected = counts(&[
            ("the", 3),
            ("cat", 1),
            ("sat", 1),
            ("on", 1),
            ("mat", 1),
            ("The", 1),
            ("cat,", 1),
            ("CAT", 1),
        ]);
        for (name, count) in FUNCTIONS {
            for threads in [1, 2, 3] {
                assert_eq!(
                    count(&texts, threads),
                    expected,
                    "{name}({texts:?}, {threads}): words are split_whitespace() tokens, counted \
                     as they are (\"The\", \"the\" and \"cat,\" are different words)"
                );
            }
        }
    });
}

#[test]
fn both_handle_no_words_and_zero_threads() {
    threadlings_harness::graded(|| {
        for (name, count) in FUNCTIONS {
            assert!(
                count(&[], 4).is_empty(),
                "{name}(&[], 4): no texts, no words"
            );
            assert!(
                count(&["", "  \n "], 2).is_empty(),
                "{name}: blank texts have no words"
            );
            assert_eq!(
                count(&["a b a"], 0),
                counts(&[("a", 2), ("b", 1)]),
                "{name}([\"a b a\"], 0): a thread count of 0 is treated as 1"
            );
            assert_eq!(
                count(&["a b", "b"], 8),
                counts(&[("a", 1), ("b", 2)]),
                "{name}([\"a b\", \"b\"], 8): more threads than texts must still count everything once"
            );
        }
    });
}
