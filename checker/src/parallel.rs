//! One small worker pool for the whole checker.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
}
