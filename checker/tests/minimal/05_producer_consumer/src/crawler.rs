//! Minimal `crawler.rs`: a coordinator (the calling thread) owns the set of pages
//! seen and the count of fetches in flight; workers only fetch.

use std::any::Any;
use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

/// Every page reachable from `start` (start included), each fetched exactly once, on
/// `workers` threads with at most `workers` fetches in flight; returns once nothing is
/// left, without sleep-polling (a one-page crawl returns within 50 ms). A panicking
/// `fetch` makes crawl panic (any message) instead of hanging.
pub fn crawl<F>(start: &str, workers: usize, fetch: F) -> BTreeSet<String>
where
    F: Fn(&str) -> Vec<String> + Send + Sync + 'static,
{
    let fetch = &fetch;
    thread::scope(|scope| {
        let (job_sender, job_receiver) = crossbeam_channel::unbounded::<String>();
        let (result_sender, result_receiver) =
            mpsc::channel::<Result<Vec<String>, Box<dyn Any + Send>>>();
        for _ in 0..workers.max(1) {
            let jobs = job_receiver.clone();
            let results = result_sender.clone();
            scope.spawn(move || {
                for url in jobs {
                    let links = panic::catch_unwind(AssertUnwindSafe(|| fetch(&url)));
                    if results.send(links).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_sender);

        let mut seen = BTreeSet::new();
        seen.insert(start.to_owned());
        job_sender
            .send(start.to_owned())
            .expect("workers are waiting");
        let mut in_flight = 1usize;
        while in_flight > 0 {
            let links = match result_receiver.recv() {
                Ok(Ok(links)) => links,
                // Leaving the scope drops `job_sender`, so the other workers stop
                // after their current fetch; then the panic goes on to our caller.
                Ok(Err(payload)) => panic::resume_unwind(payload),
                Err(_) => panic!("every crawler worker is gone"),
            };
            in_flight -= 1;
            for link in links {
                if !seen.contains(&link) {
                    seen.insert(link.clone());
                    job_sender.send(link).expect("workers are waiting");
                    in_flight += 1;
                }
            }
        }
        drop(job_sender);
        seen
    })
}
