//! Public tests of `src/word_count.rs`: exact counts, one test per function, so
//! a report names the function that miscounts.

use std::collections::HashMap;

use shared_state::{merge_count, shared_map_count};

/// A word-count function under test.
type Counter = fn(&[&str], usize) -> HashMap<String, usize>;

/// `pairs` as a map, for comparisons.
fn counts(pairs: &[(&str, usize)]) -> HashMap<String, usize> {
    pairs.iter().map(|&(w, n)| (w.to_string(), n)).collect()
}

/// `count`, called `name`, counts a few texts exactly on 1 to 3 threads.
fn counts_words_exactly(name: &str, count: Counter) {
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
    for threads in [1, 2, 3] {
        assert_eq!(
            count(&texts, threads),
            expected,
            "{name}({texts:?}, {threads}): words are split_whitespace() tokens, counted as they \
             are (\"The\", \"the\" and \"cat,\" are different words), and a word that several \
             threads see is counted by all of them"
        );
    }
}

/// `count`, called `name`, handles empty input, 0 threads and more threads than texts.
fn handles_no_words_and_zero_threads(name: &str, count: Counter) {
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

#[test]
fn shared_map_count_counts_words_exactly() {
    threadlings_harness::graded(|| counts_words_exactly("shared_map_count", shared_map_count));
}

#[test]
fn merge_count_counts_words_exactly() {
    threadlings_harness::graded(|| counts_words_exactly("merge_count", merge_count));
}

#[test]
fn shared_map_count_handles_no_words_and_zero_threads() {
    threadlings_harness::graded(|| {
        handles_no_words_and_zero_threads("shared_map_count", shared_map_count)
    });
}

#[test]
fn merge_count_handles_no_words_and_zero_threads() {
    threadlings_harness::graded(|| handles_no_words_and_zero_threads("merge_count", merge_count));
}
