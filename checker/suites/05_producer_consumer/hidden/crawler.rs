//! Hidden tests of the crawler: random sites, the in-flight limit, shutting down
//! promptly, speed-up with more workers, and a panicking fetch.

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use producer_consumer::crawl;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use threadlings_harness::within;

use super::crawler_basics::{Fetcher, HANG_HINT, Site, crawl_and_check, page};

/// A random site of up to 60 pages with cycles, self-links and unreachable pages.
fn random_site(rng: &mut ChaCha8Rng) -> Site {
    let pages = rng.random_range(1..=60);
    (0..pages)
        .map(|i| {
            let links = (0..rng.random_range(0..=4))
                .map(|_| page(rng.random_range(0..pages)))
                .collect();
            (page(i), links)
        })
        .collect()
}

/// A start page linking to `leaves` pages that link back to it.
fn star(leaves: usize) -> Site {
    let mut site: Site = (1..=leaves).map(|i| (page(i), vec![page(0)])).collect();
    site.insert(page(0), (1..=leaves).map(page).collect());
    site
}

#[test]
fn crawl_random_sites_exactly() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let site = random_site(&mut rng);
            let workers = rng.random_range(0..=8);
            let delay = Duration::from_micros(rng.random_range(0..=3) * 300);
            let what = format!(
                "crawl of a random {}-page site with workers = {workers}",
                site.len()
            );
            crawl_and_check(site, workers, delay, &what);
        });
    });
}

#[test]
fn crawl_keeps_at_most_workers_fetches_in_flight() {
    threadlings_harness::graded(|| {
        for workers in [1, 3] {
            let what = format!("crawl of a 40-page star with {workers} workers");
            crawl_and_check(star(40), workers, Duration::from_millis(3), &what);
        }
    });
}

#[test]
fn crawl_with_zero_workers_uses_one() {
    threadlings_harness::graded(|| {
        crawl_and_check(
            star(5),
            0,
            Duration::ZERO,
            "crawl with workers = 0 (treated as 1)",
        );
    });
}

#[test]
fn crawl_returns_promptly_when_the_work_runs_out() {
    threadlings_harness::graded(|| {
        // One page, no links: the crawl is over as soon as that fetch returns.
        let limit = Duration::from_millis(100);
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let fetcher = Fetcher::new(Site::new(), Duration::ZERO);
            let fetch = fetcher.as_fn();
            let start = Instant::now();
            let found = within(
                Duration::from_secs(10),
                "a one-page crawl with 4 workers",
                HANG_HINT,
                move || crawl(&page(0), 4, fetch),
            );
            best = best.min(start.elapsed());
            assert_eq!(
                found,
                BTreeSet::from([page(0)]),
                "a page without links: crawl must return just the start page"
            );
        }
        assert!(
            best < limit,
            "a one-page crawl with 4 workers took {best:?} (best of 3); it must return within 50 ms (tested with a margin: {limit:?}). \
             Do idle workers sleep and poll? They must block on a Condvar (or a channel) and be woken when the work runs out"
        );
    });
}

#[test]
fn crawl_scales_with_workers() {
    threadlings_harness::graded(|| {
        // 33 pages, each fetch sleeping 20 ms: one worker needs about 660 ms,
        // eight need about 100 ms.
        let delay = Duration::from_millis(20);
        let time = |workers: usize| {
            let fetcher = Fetcher::new(star(32), delay);
            let fetch = fetcher.as_fn();
            let start = Instant::now();
            let found = within(Duration::from_secs(10), "a 33-page crawl", HANG_HINT, move || {
                crawl(&page(0), workers, fetch)
            });
            assert_eq!(found.len(), 33, "the star site has 33 pages");
            start.elapsed()
        };
        let one = time(1);
        let eight = (0..2).map(|_| time(8)).min().unwrap();
        let speedup = one.as_secs_f64() / eight.as_secs_f64();
        threadlings_harness::note(format!(
            "crawl speed-up with 8 workers over 1: {speedup:.1}x"
        ));
        assert!(
            speedup >= 2.5,
            "with fetches taking 20 ms, 8 workers took {eight:?} and 1 worker {one:?}: only {speedup:.1}x faster, expected \
             at least 2.5x (ideally about 6x). Do the workers fetch at the same time, without holding the lock during fetch? \
             Do idle workers stay until the work runs out, instead of leaving when the to-do list is momentarily empty?"
        );
    });
}

#[test]
fn crawl_panics_when_fetch_panics() {
    threadlings_harness::graded(|| {
        let boom_fetched = Arc::new(AtomicUsize::new(0));
        let counter = boom_fetched.clone();
        let fetch = move |url: &str| {
            if url == page(3) {
                counter.fetch_add(1, Ordering::SeqCst);
                panic!("fetch of {url} failed");
            }
            thread::sleep(Duration::from_millis(2));
            if url == page(0) {
                (1..=6).map(page).collect()
            } else {
                vec![page(0)]
            }
        };
        let result = within(
            Duration::from_secs(10),
            "crawl with a panicking fetch",
            HANG_HINT,
            move || panic::catch_unwind(AssertUnwindSafe(|| crawl(&page(0), 3, fetch))).is_err(),
        );
        assert_eq!(
            boom_fetched.load(Ordering::SeqCst),
            1,
            "the panicking page must have been fetched exactly once"
        );
        assert!(
            result,
            "fetch panicked on one page, but crawl returned normally: it must panic too"
        );
    });
}
