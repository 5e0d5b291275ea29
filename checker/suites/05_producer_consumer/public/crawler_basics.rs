//! Public test of the crawler: a small site with a cycle.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use producer_consumer::crawl;
use threadlings_harness::within;

/// Why a crawl that does not finish hangs (for [`threadlings_harness::within`]).
pub(crate) const HANG_HINT: &str = "do idle workers wait forever? A worker may stop only when the \
     to-do list is empty AND no fetch is in flight; then every waiting worker must be woken";

/// A site: page name → the links on that page.
pub(crate) type Site = HashMap<String, Vec<String>>;

/// The address of page `i` of a test site.
pub(crate) fn page(i: usize) -> String {
    format!("https://site.test/{i}")
}

/// A fake `fetch` over `site` that counts its calls and the fetches in flight.
#[derive(Default)]
pub(crate) struct Fetcher {
    site: Site,
    delay: Duration,
    calls: Mutex<HashMap<String, usize>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Every fetch's start and end, in order: drawn as a timeline if a check fails.
    log: Mutex<Vec<FetchEvent>>,
}

/// A fetch starting or ending, on the thread that called `fetch`.
pub(crate) struct FetchEvent {
    /// The calling thread: its name (if any) and id.
    thread: String,
    url: String,
    /// `Some(n)`: the fetch started, `n` fetches in flight with it; `None`: it ended.
    started_with: Option<usize>,
}

impl Fetcher {
    /// A fetcher over `site` whose every fetch sleeps `delay`.
    pub(crate) fn new(site: Site, delay: Duration) -> Arc<Self> {
        Arc::new(Fetcher {
            site,
            delay,
            ..Default::default()
        })
    }

    /// The links on `url`, counted as one call and one fetch in flight while it sleeps.
    fn fetch(&self, url: &str) -> Vec<String> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.record(url, Some(now));
        *self
            .calls
            .lock()
            .unwrap()
            .entry(url.to_owned())
            .or_default() += 1;
        if !self.delay.is_zero() {
            thread::sleep(self.delay);
        }
        let links = self.site.get(url).cloned().unwrap_or_default();
        self.record(url, None);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        links
    }

    fn record(&self, url: &str, started_with: Option<usize>) {
        let me = thread::current();
        let thread = match me.name() {
            Some(name) => format!("{name:?} {:?}", me.id()),
            None => format!("{:?}", me.id()),
        };
        self.log.lock().unwrap().push(FetchEvent {
            thread,
            url: url.to_owned(),
            started_with,
        });
    }

    /// The fetches so far as a timeline: one lane per thread that called `fetch`.
    fn timeline(&self) -> threadlings_harness::timeline::Watch {
        let mut timeline = threadlings_harness::timeline::Watch::new();
        for event in self.log.lock().unwrap().iter() {
            let page = event.url.trim_start_matches("https://site.test/");
            let label = match event.started_with {
                Some(n) => format!("fetch page {page} ({n} in flight)"),
                None => format!("fetched page {page}"),
            };
            timeline.event(event.thread.clone(), label);
        }
        timeline
    }

    /// Positions in the log of the starts of the fetches of `url`.
    fn starts_of(&self, url: &str) -> Vec<usize> {
        let log = self.log.lock().unwrap();
        (0..log.len())
            .filter(|&i| log[i].url == url && log[i].started_with.is_some())
            .collect()
    }

    /// The position in the log of the first fetch that started with more than
    /// `limit` in flight, and of the starts of the fetches in flight with it.
    fn first_over(&self, limit: usize) -> Vec<usize> {
        let log = self.log.lock().unwrap();
        let Some(over) = log
            .iter()
            .position(|e| e.started_with.is_some_and(|n| n > limit))
        else {
            return Vec::new();
        };
        // The fetches started before it that had not ended yet.
        let mut open: Vec<usize> = Vec::new();
        for (i, event) in log[..over].iter().enumerate() {
            match event.started_with {
                Some(_) => open.push(i),
                None => {
                    if let Some(k) = open.iter().position(|&o| log[o].url == event.url) {
                        open.remove(k);
                    }
                }
            }
        }
        open.push(over);
        open
    }

    /// The `fetch` closure `crawl` takes.
    pub(crate) fn as_fn(self: &Arc<Self>) -> impl Fn(&str) -> Vec<String> + Send + Sync + 'static {
        let me = self.clone();
        move |url: &str| me.fetch(url)
    }
}

/// Every page reachable from `start`, by a plain breadth-first search.
fn reachable(site: &Site, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([start.to_owned()]);
    let mut todo = vec![start.to_owned()];
    while let Some(url) = todo.pop() {
        for link in site.get(&url).into_iter().flatten() {
            if seen.insert(link.clone()) {
                todo.push(link.clone());
            }
        }
    }
    seen
}

/// Crawls `site` from page 0 and checks the result and the calls to fetch.
pub(crate) fn crawl_and_check(site: Site, workers: usize, delay: Duration, what: &str) {
    let expected = reachable(&site, &page(0));
    let fetcher = Fetcher::new(site, delay);
    let fetch = fetcher.as_fn();
    let found = within(Duration::from_secs(10), what, HANG_HINT, move || {
        crawl(&page(0), workers, fetch)
    });
    // If a check below fails, the checker draws every fetch (one lane per thread),
    // with the fetches the failed check is about highlighted.
    let mut timeline = fetcher.timeline();
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: crawl must return exactly the pages reachable from the start page; missing {missing:?}, not reachable but returned {extra:?}"
    );
    let calls = fetcher.calls.lock().unwrap();
    for url in &expected {
        let n = calls.get(url).copied().unwrap_or(0);
        if n > 1 {
            let starts = fetcher.starts_of(url);
            timeline.at(starts[0]);
            for &again in &starts[1..] {
                timeline.also(again);
            }
        }
        assert_eq!(
            n, 1,
            "{what}: fetch({url:?}) was called {n} times; every reachable page must be fetched exactly once"
        );
    }
    let strays: Vec<_> = calls.keys().filter(|u| !expected.contains(*u)).collect();
    assert!(
        strays.is_empty(),
        "{what}: fetch was called for pages that are not reachable: {strays:?}"
    );
    let max = fetcher.max_in_flight.load(Ordering::SeqCst);
    let limit = workers.max(1);
    timeline.done();
    let over = fetcher.first_over(limit);
    if let Some((&last, rest)) = over.split_last() {
        timeline.at(last);
        for &earlier in rest {
            timeline.also(earlier);
        }
    }
    assert!(
        max <= limit,
        "{what}: {max} fetches ran at once, more than the {limit} allowed (workers = {workers})"
    );
}

#[test]
fn crawl_finds_a_small_site() {
    threadlings_harness::graded(|| {
        // 0 → 1, 2; 1 → 3; 2 → 0 (a cycle), 3; 3 → 3 (a self-link); page 4 is not linked.
        let links = [vec![1, 2], vec![3], vec![0, 3], vec![3], vec![0]];
        let site: Site = links
            .iter()
            .enumerate()
            .map(|(i, to)| (page(i), to.iter().map(|&j| page(j)).collect()))
            .collect();
        crawl_and_check(
            site,
            3,
            Duration::from_millis(5),
            "crawl of a 5-page site with 3 workers",
        );
    });
}
