//! A crawler (爬虫): workers take pages from a shared to-do list, fetch them, and
//! put the links they find back on the list. Every worker is both a consumer
//! and a producer of the same queue.

use std::collections::{BTreeSet, VecDeque};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
use std::thread;

/// Everything the workers share, behind one lock.
#[derive(Default)]
struct Work {
    /// Every page ever discovered: fetched, being fetched or waiting.
    seen: BTreeSet<String>,
    /// Pages discovered but not taken by a worker yet.
    todo: VecDeque<String>,
    /// Pages being fetched right now. Their links may still add work, so an
    /// empty `todo` alone does not mean the crawl is over.
    in_flight: usize,
    /// A fetch panicked: everyone stops.
    failed: bool,
}

/// Every page reachable from `start` (start included), each fetched exactly once, on
/// `workers` threads with at most `workers` fetches in flight; returns once nothing is
/// left, without sleep-polling (a one-page crawl returns within 50 ms). A panicking
/// `fetch` makes crawl panic (any message) instead of hanging.
pub fn crawl<F>(start: &str, workers: usize, fetch: F) -> BTreeSet<String>
where
    F: Fn(&str) -> Vec<String> + Send + Sync + 'static,
{
    let mut work = Work::default();
    work.seen.insert(start.to_owned());
    work.todo.push_back(start.to_owned());
    let work = Mutex::new(work);
    let changed = Condvar::new();

    // `thread::scope` joins every worker before returning, and re-raises a
    // worker's panic in this thread.
    thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| worker(&work, &changed, &fetch));
        }
    });
    work.into_inner().unwrap().seen
}

/// One worker: take a page, fetch it without holding the lock, record its links.
fn worker<F>(work: &Mutex<Work>, changed: &Condvar, fetch: &F)
where
    F: Fn(&str) -> Vec<String>,
{
    loop {
        let page = {
            let mut w = work.lock().unwrap();
            // Wait while there is nothing to take but other fetches may still add work.
            while w.todo.is_empty() && w.in_flight > 0 && !w.failed {
                w = changed.wait(w).unwrap();
            }
            if w.failed {
                return;
            }
            match w.todo.pop_front() {
                Some(page) => {
                    w.in_flight += 1;
                    page
                }
                // Nothing to take and nothing in flight: the crawl is over.
                // Wake the others so that they see it too.
                None => {
                    changed.notify_all();
                    return;
                }
            }
        };

        let links = panic::catch_unwind(AssertUnwindSafe(|| fetch(&page)));

        let mut w = work.lock().unwrap();
        w.in_flight -= 1;
        match links {
            Ok(links) => {
                for link in links {
                    if w.seen.insert(link.clone()) {
                        w.todo.push_back(link);
                    }
                }
                drop(w);
                changed.notify_all();
            }
            Err(payload) => {
                w.failed = true;
                drop(w);
                changed.notify_all();
                panic::resume_unwind(payload);
            }
        }
    }
}
