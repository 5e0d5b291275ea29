//! One small worker pool for the whole checker.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Calls `f` on every item of `items` on at most `jobs` threads (at least one)
/// and returns what it returned, in the order of `items`.
///
/// Items are started in their order: a worker takes the next item not yet
/// taken as soon as it is free, so with `jobs == 1` they run one after the
/// other in order. `f` may report progress as it goes (it runs on the workers,
/// hence `Sync`); the call returns once every item is done. A panic in `f` is
/// propagated once the other workers have finished.
pub fn parallel_for<T, R, F>(jobs: usize, items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(index) else { break };
                    let result = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// How often [`parallel_for_overlapping`] asks `may_overlap` again while items
/// are past their patience.
const OVERLAP_POLL: Duration = Duration::from_millis(250);

/// [`parallel_for_overlapping`] runs at most this many times `jobs` items at
/// once: items past their patience wait, so this bounds processes, not CPU.
pub const OVERLAP_FACTOR: usize = 4;

/// Like [`parallel_for`], but an item still running after `patience` gives its
/// worker's place to the next item (it keeps running) once `may_overlap` says
/// so: meant for tests, where one running that long is most likely waiting (a
/// hang, up to its time limit), and a waiting test costs no CPU; `may_overlap`
/// is asked each time (is every running test waiting?). At most
/// `jobs` items run before their patience is up, and at most [`OVERLAP_FACTOR`]
/// times `jobs` at once in all.
pub fn parallel_for_overlapping<T, R, F>(
    jobs: usize,
    patience: Duration,
    may_overlap: &dyn Fn() -> bool,
    items: &[T],
    f: F,
) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let jobs = jobs.max(1);
    let state = Mutex::new(Overlap {
        results: items.iter().map(|_| None).collect(),
        running: Vec::new(),
    });
    let changed = Condvar::new();
    std::thread::scope(|scope| {
        let mut next = 0;
        let mut state_now = state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            let running = state_now.running.len();
            let fresh = state_now
                .running
                .iter()
                .filter(|&&(_, started)| now.duration_since(started) < patience)
                .count();
            let room = running < jobs
                || (fresh < jobs && running < OVERLAP_FACTOR * jobs && may_overlap());
            if next < items.len() && room {
                let index = next;
                next += 1;
                state_now.running.push((index, now));
                let (state, changed, f) = (&state, &changed, &f);
                scope.spawn(move || {
                    let result = f(&items[index]);
                    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                    state.results[index] = Some(result);
                    state.running.retain(|&(i, _)| i != index);
                    changed.notify_all();
                });
                continue;
            }
            if next == items.len() && state_now.running.is_empty() {
                break;
            }
            // Wake when an item ends, or when the next one's patience is up, or
            // (items past their patience waiting for an idle core) to look again.
            let wait = state_now
                .running
                .iter()
                .map(|&(_, started)| (started + patience).saturating_duration_since(now))
                .filter(|left| !left.is_zero())
                .min()
                .unwrap_or(patience)
                .min(OVERLAP_POLL);
            state_now = changed
                .wait_timeout(state_now, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    });
    state
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .results
        .into_iter()
        .flatten()
        .collect()
}

/// What [`parallel_for_overlapping`]'s workers share.
struct Overlap<R> {
    /// Per item, its result once done.
    results: Vec<Option<R>>,
    /// Items running now, with when each started.
    running: Vec<(usize, Instant)>,
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::parallel_for;

    #[test]
    fn results_come_back_in_item_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..12).collect();
        // Early items take longest, so they finish last.
        let out = parallel_for(4, &items, |&i| {
            std::thread::sleep(Duration::from_millis(2 * (12 - i)));
            i * 10
        });
        assert_eq!(out, (0..12).map(|i| i * 10).collect::<Vec<_>>());
    }

    #[test]
    fn never_more_than_jobs_at_once_and_every_item_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let calls = AtomicUsize::new(0);
        let items: Vec<usize> = (0..20).collect();
        parallel_for(3, &items, |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            calls.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            running.fetch_sub(1, Ordering::SeqCst);
        });
        assert_eq!(calls.load(Ordering::SeqCst), 20);
        assert!(most.load(Ordering::SeqCst) <= 3, "{most:?} at once");
    }

    #[test]
    fn one_job_runs_items_in_order_and_zero_jobs_still_runs() {
        let seen = std::sync::Mutex::new(Vec::new());
        let items = ["a", "b", "c"];
        parallel_for(0, &items, |s| seen.lock().expect("not poisoned").push(*s));
        assert_eq!(*seen.lock().expect("not poisoned"), ["a", "b", "c"]);
        assert!(parallel_for(4, &[] as &[u8], |_| ()).is_empty());
    }

    #[test]
    fn an_item_past_its_patience_lets_the_next_start_beside_it() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let items: Vec<u64> = vec![600; 6];
        let started = std::time::Instant::now();
        let out = super::parallel_for_overlapping(
            1,
            Duration::from_millis(50),
            &|| true,
            &items,
            |&ms| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(ms));
                running.fetch_sub(1, Ordering::SeqCst);
                ms
            },
        );
        assert_eq!(out, items);
        // One job: four at once (OVERLAP_FACTOR), never more.
        assert_eq!(most.load(Ordering::SeqCst), super::OVERLAP_FACTOR);
        // One after the other would take 3.6 s; four at a time about 1.3 s.
        assert!(
            started.elapsed() < Duration::from_millis(2400),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn without_an_idle_core_items_run_jobs_at_a_time_whatever_their_patience() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let items: Vec<usize> = (0..12).collect();
        let out = super::parallel_for_overlapping(3, Duration::ZERO, &|| false, &items, |&i| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            running.fetch_sub(1, Ordering::SeqCst);
            i
        });
        assert_eq!(out, items);
        assert!(most.load(Ordering::SeqCst) <= 3, "{most:?} at once");
        assert!(
            super::parallel_for_overlapping(2, Duration::ZERO, &|| true, &[] as &[u8], |_| ())
                .is_empty()
        );
    }
}
