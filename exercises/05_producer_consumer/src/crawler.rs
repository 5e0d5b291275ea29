//! A crawler (爬虫): workers take pages from a shared to-do list, fetch them, and
//! put the links they find back on the list. Every worker is both a consumer
//! and a producer of the same queue, so "the list is empty" does not mean "done":
//! a fetch still in flight may add more pages.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::collections::BTreeSet;

/// Every page reachable from `start` (start included), each fetched exactly once, on
/// `workers` threads with at most `workers` fetches in flight; returns once nothing is
/// left, without sleep-polling (a one-page crawl returns within 50 ms). A panicking
/// `fetch` makes crawl panic (any message) instead of hanging.
///
/// `workers = 0` is treated as 1. `fetch(url)` returns the links found on page `url`;
/// links may point back to pages already seen, or to the page itself.
pub fn crawl<F>(start: &str, workers: usize, fetch: F) -> BTreeSet<String>
where
    F: Fn(&str) -> Vec<String> + Send + Sync + 'static,
{
    todo!()
}
