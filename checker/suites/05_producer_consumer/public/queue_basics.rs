//! Public tests of `BoundedQueue`: the basics.

use producer_consumer::BoundedQueue;

#[test]
fn queue_is_first_in_first_out() {
    threadlings_harness::graded(|| {
        let q = BoundedQueue::new(3);
        assert_eq!(
            q.capacity(),
            3,
            "capacity() must return the capacity given to new()"
        );
        assert!(q.is_empty(), "a new queue must be empty");
        for item in [1, 2, 3] {
            assert_eq!(
                q.put(item),
                Ok(()),
                "put({item}) into a queue with room must succeed"
            );
        }
        assert_eq!(q.len(), 3, "len() after three puts");
        let got: Vec<_> = (0..3).map(|_| q.get()).collect();
        assert_eq!(
            got,
            vec![Some(1), Some(2), Some(3)],
            "items must come out in the order they went in (first in, first out)"
        );
        assert!(
            q.is_empty(),
            "the queue must be empty after taking every item"
        );
    });
}

#[test]
fn closed_queue_drains_then_returns_none() {
    threadlings_harness::graded(|| {
        let q = BoundedQueue::new(2);
        q.put("a").unwrap();
        q.close();
        assert_eq!(
            q.put("b"),
            Err(producer_consumer::Closed("b")),
            "put on a closed queue must give the item back as Err(Closed(item))"
        );
        assert_eq!(
            q.get(),
            Some("a"),
            "items put before close() must still come out"
        );
        assert_eq!(
            q.get(),
            None,
            "get on a closed, empty queue must return None at once"
        );
    });
}

#[test]
fn zero_capacity_panics() {
    threadlings_harness::graded(|| {
        let result = std::panic::catch_unwind(|| BoundedQueue::<u32>::new(0));
        let Err(payload) = result else {
            panic!(
                "BoundedQueue::new(0) must panic with \"capacity must be at least 1\", but it returned a queue"
            );
        };
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(
            message.contains("capacity must be at least 1"),
            "BoundedQueue::new(0) must panic with \"capacity must be at least 1\", got {message:?}"
        );
    });
}
