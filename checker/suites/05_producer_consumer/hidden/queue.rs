//! Hidden tests of `BoundedQueue`: blocking, closing, try_* and a stress test.

use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use producer_consumer::{BoundedQueue, Closed, TryPutError};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use threadlings_harness::within;

/// Why a queue operation that does not finish hangs (for [`threadlings_harness::within`]).
const HANG_HINT: &str = "a thread is stuck waiting (deadlock or missed wakeup?)";
/// How long a blocked call is watched to make sure it really waits.
const BLOCKED_FOR: Duration = Duration::from_millis(150);
/// How long a call that should wake up may take to do so.
const WAKE_WITHIN: Duration = Duration::from_secs(3);

#[test]
fn put_blocks_while_full() {
    threadlings_harness::graded(|| {
        let q = Arc::new(BoundedQueue::new(2));
        q.put(1).unwrap();
        q.put(2).unwrap();
        let (done_tx, done_rx) = mpsc::channel();
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                let result = q.put(3);
                let _ = done_tx.send(result);
            })
        };
        assert!(
            done_rx.recv_timeout(BLOCKED_FOR).is_err(),
            "put returned while the queue was full (capacity 2, 2 items): it must wait for room"
        );
        assert_eq!(q.get(), Some(1), "get must return the oldest item");
        match done_rx.recv_timeout(WAKE_WITHIN) {
            Ok(result) => assert_eq!(
                result,
                Ok(()),
                "the waiting put must succeed once there is room"
            ),
            Err(_) => panic!(
                "a put waiting on a full queue was not woken within {WAKE_WITHIN:?} after get made room: does get notify the waiting putters?"
            ),
        }
        producer.join().unwrap();
        assert_eq!(
            (q.get(), q.get()),
            (Some(2), Some(3)),
            "the queue must hold 2 then 3"
        );
    });
}

#[test]
fn get_blocks_while_empty() {
    threadlings_harness::graded(|| {
        let q = Arc::new(BoundedQueue::<u32>::new(2));
        let (done_tx, done_rx) = mpsc::channel();
        let consumer = {
            let q = q.clone();
            thread::spawn(move || {
                let _ = done_tx.send(q.get());
            })
        };
        assert!(
            done_rx.recv_timeout(BLOCKED_FOR).is_err(),
            "get returned while the queue was empty and open: it must wait for an item"
        );
        q.put(7).unwrap();
        match done_rx.recv_timeout(WAKE_WITHIN) {
            Ok(item) => assert_eq!(
                item,
                Some(7),
                "the waiting get must return the item just put"
            ),
            Err(_) => panic!(
                "a get waiting on an empty queue was not woken within {WAKE_WITHIN:?} after put: does put notify the waiting getters?"
            ),
        }
        consumer.join().unwrap();
    });
}

#[test]
fn close_wakes_every_blocked_putter_and_getter() {
    threadlings_harness::graded(|| {
        // Three putters stuck on a full queue.
        let full = Arc::new(BoundedQueue::new(1));
        full.put(0).unwrap();
        let (put_tx, put_rx) = mpsc::channel();
        for item in 1..=3 {
            let (q, tx) = (full.clone(), put_tx.clone());
            thread::spawn(move || {
                let _ = tx.send(q.put(item));
            });
        }
        // Three getters stuck on an empty queue.
        let empty = Arc::new(BoundedQueue::<u32>::new(1));
        let (get_tx, get_rx) = mpsc::channel();
        for _ in 0..3 {
            let (q, tx) = (empty.clone(), get_tx.clone());
            thread::spawn(move || {
                let _ = tx.send(q.get());
            });
        }
        thread::sleep(BLOCKED_FOR);
        assert!(
            put_rx.try_recv().is_err(),
            "a put returned while the queue was full"
        );
        assert!(
            get_rx.try_recv().is_err(),
            "a get returned while the queue was empty and open"
        );

        full.close();
        empty.close();
        for n in 1..=3 {
            match put_rx.recv_timeout(WAKE_WITHIN) {
                Ok(Err(Closed(_))) => {}
                Ok(Ok(())) => panic!(
                    "a put waiting on a full queue succeeded after close(): it must return Err(Closed(item))"
                ),
                Err(_) => panic!(
                    "only {} of 3 putters waiting on a full queue woke up after close(): close must wake every waiter (notify_all)",
                    n - 1
                ),
            }
            match get_rx.recv_timeout(WAKE_WITHIN) {
                Ok(None) => {}
                Ok(Some(item)) => panic!("a get on a closed, empty queue returned Some({item})"),
                Err(_) => panic!(
                    "only {} of 3 getters waiting on an empty queue woke up after close(): close must wake every waiter (notify_all)",
                    n - 1
                ),
            }
        }
        assert_eq!(
            full.get(),
            Some(0),
            "the item put before close() must still come out"
        );
    });
}

#[test]
fn try_put_and_try_get_never_wait() {
    threadlings_harness::graded(|| {
        let q = BoundedQueue::new(1);
        assert_eq!(
            q.try_get(),
            None,
            "try_get on an empty queue must return None at once"
        );
        assert_eq!(
            q.try_put(1),
            Ok(()),
            "try_put into a queue with room must succeed"
        );
        assert_eq!(
            q.try_put(2),
            Err(TryPutError::Full(2)),
            "try_put into a full queue must give Err(Full(item))"
        );
        q.close();
        assert_eq!(
            q.try_put(3),
            Err(TryPutError::Closed(3)),
            "try_put into a queue that is closed AND full must give Err(Closed(item)): closed wins over full"
        );
        assert_eq!(
            q.try_get(),
            Some(1),
            "try_get must still drain a closed queue"
        );
        assert_eq!(
            q.try_put(4),
            Err(TryPutError::Closed(4)),
            "try_put into a closed queue must give Err(Closed(item))"
        );
        assert_eq!(
            q.try_get(),
            None,
            "try_get on a closed, empty queue returns None"
        );
    });
}

#[test]
fn try_get_makes_room_for_a_waiting_put() {
    threadlings_harness::graded(|| {
        let q = Arc::new(BoundedQueue::new(1));
        q.put(1).unwrap();
        let (done_tx, done_rx) = mpsc::channel();
        let q2 = q.clone();
        thread::spawn(move || {
            let _ = done_tx.send(q2.put(2));
        });
        thread::sleep(BLOCKED_FOR);
        assert_eq!(
            q.try_get(),
            Some(1),
            "try_get must take the item at the front"
        );
        assert!(
            done_rx.recv_timeout(WAKE_WITHIN).is_ok(),
            "a put waiting on a full queue was not woken after try_get made room: try_get must notify too"
        );
        assert_eq!(q.get(), Some(2));
    });
}

/// Producers put `(producer, index)` pairs, consumers take until `None`; then every
/// invariant of a queue is checked.
fn stress(producers: usize, consumers: usize, capacity: usize, per_producer: usize) {
    let setup = format!(
        "{producers} producers, {consumers} consumers, capacity {capacity}, {per_producer} items each"
    );
    let q = Arc::new(BoundedQueue::new(capacity));
    let closed = Arc::new(AtomicBool::new(false));
    let producer_handles: Vec<_> = (0..producers)
        .map(|p| {
            let q = q.clone();
            thread::spawn(move || {
                for i in 0..per_producer {
                    assert!(q.put((p, i)).is_ok(), "put failed although the queue was still open");
                    let len = q.len();
                    assert!(len <= capacity, "len() was {len}, above the capacity {capacity}: a put added an item to a full queue (an `if` instead of a `while` around wait?)");
                }
            })
        })
        .collect();
    let consumer_handles: Vec<_> = (0..consumers)
        .map(|_| {
            let (q, closed) = (q.clone(), closed.clone());
            thread::spawn(move || {
                let mut got = Vec::new();
                while let Some(item) = q.get() {
                    let len = q.len();
                    assert!(len <= capacity, "len() was {len}, above the capacity {capacity}: a put added an item to a full queue (an `if` instead of a `while` around wait?)");
                    got.push(item);
                }
                assert!(
                    closed.load(Ordering::SeqCst),
                    "get returned None while the queue was still open: a woken getter must check again that an item is there (a `while`, not an `if`, around wait)"
                );
                got
            })
        })
        .collect();
    for handle in producer_handles {
        if let Err(payload) = handle.join() {
            panic::resume_unwind(payload);
        }
    }
    closed.store(true, Ordering::SeqCst);
    q.close();
    let mut seen = vec![vec![0usize; per_producer]; producers];
    for handle in consumer_handles {
        let got = match handle.join() {
            Ok(got) => got,
            Err(payload) => panic::resume_unwind(payload),
        };
        let mut next = vec![0usize; producers];
        for (p, i) in got {
            seen[p][i] += 1;
            assert!(
                i >= next[p],
                "{setup}: a consumer got item {i} of producer {p} after a later item of the same producer: the queue is not first in, first out"
            );
            next[p] = i + 1;
        }
    }
    for (p, counts) in seen.iter().enumerate() {
        for (i, &n) in counts.iter().enumerate() {
            assert_eq!(
                n, 1,
                "{setup}: item {i} of producer {p} came out {n} times instead of exactly once"
            );
        }
    }
}

#[test]
fn stress_many_producers_and_consumers() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..12, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let producers = rng.random_range(1..=4);
            let consumers = rng.random_range(1..=4);
            let capacity = rng.random_range(1..=3);
            within(
                Duration::from_secs(15),
                "the stress test (producers and consumers at small capacity)",
                HANG_HINT,
                move || stress(producers, consumers, capacity, 3_000),
            );
        });
    });
}

#[test]
fn stress_capacity_one_four_by_four() {
    threadlings_harness::graded(|| {
        within(
            Duration::from_secs(15),
            "4 producers and 4 consumers at capacity 1",
            HANG_HINT,
            || stress(4, 4, 1, 5_000),
        );
    });
}
