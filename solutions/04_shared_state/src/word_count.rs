//! Counting words on several threads, sharing a lot or sharing little.
//!
//! Both functions split the texts into one contiguous group per thread. They
//! differ in what the threads share: one locked map that every word goes
//! through, or nothing at all until the very end.

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread;

/// Counts every `split_whitespace()` word of `texts` on `threads` threads that
/// all update one shared `Mutex<HashMap>`. A thread count of 0 is treated as 1.
pub fn shared_map_count(texts: &[&str], threads: usize) -> HashMap<String, usize> {
    let counts = Mutex::new(HashMap::new());
    thread::scope(|scope| {
        for group in groups(texts, threads) {
            let counts = &counts;
            scope.spawn(move || {
                for word in group.iter().flat_map(|text| text.split_whitespace()) {
                    // One lock per word: the threads spend their time waiting for each other.
                    *counts.lock().unwrap().entry(word.to_owned()).or_insert(0) += 1;
                }
            });
        }
    });
    counts.into_inner().unwrap()
}

/// Counts every `split_whitespace()` word of `texts` on `threads` threads; each
/// thread fills its own private map, and the maps are merged at the end.
/// A thread count of 0 is treated as 1.
pub fn merge_count(texts: &[&str], threads: usize) -> HashMap<String, usize> {
    let partial_counts: Vec<HashMap<String, usize>> = thread::scope(|scope| {
        let handles: Vec<_> = groups(texts, threads)
            .map(|group| scope.spawn(move || count_words(group)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });

    let mut total = HashMap::new();
    for counts in partial_counts {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

/// Counts the words of `texts` on the current thread.
fn count_words(texts: &[&str]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for word in texts.iter().flat_map(|text| text.split_whitespace()) {
        // Look the word up first: a `String` is only allocated for a word seen for the first time.
        match counts.get_mut(word) {
            Some(count) => *count += 1,
            None => {
                counts.insert(word.to_owned(), 1);
            }
        }
    }
    counts
}

/// `texts` cut into at most `threads` contiguous groups of nearly equal length.
fn groups<'a, 'b>(texts: &'a [&'b str], threads: usize) -> std::slice::Chunks<'a, &'b str> {
    let threads = threads.max(1);
    let size = texts.len().div_ceil(threads).max(1);
    texts.chunks(size)
}
