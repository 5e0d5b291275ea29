//! A bounded blocking queue: the box between producers and consumers.

use std::collections::VecDeque;

use crate::sync::{Condvar, Mutex, MutexGuard};
use crate::{Closed, TryPutError};

/// A first-in first-out queue holding at most `capacity` items, shared by any
/// number of producer and consumer threads.
///
/// `put` waits while the queue is full and `get` waits while it is empty; `close`
/// tells everyone that no more items will come.
pub struct BoundedQueue<T> {
    state: Mutex<State<T>>,
    /// Signalled when an item was taken out: a waiting `put` may have room now.
    not_full: Condvar,
    /// Signalled when an item was put in: a waiting `get` may find one now.
    not_empty: Condvar,
    capacity: usize,
}

/// Everything the lock protects.
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    /// Threads sleeping in `put`, and in `get`. Waking nobody is not free (it is
    /// a system call), so `put` and `get` only notify when someone is waiting.
    waiting_putters: usize,
    waiting_getters: usize,
}

impl<T> BoundedQueue<T> {
    /// An empty, open queue that holds at most `capacity` items.
    ///
    /// Panics with "capacity must be at least 1" when `capacity` is 0.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity >= 1, "capacity must be at least 1");
        BoundedQueue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
                waiting_putters: 0,
                waiting_getters: 0,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        }
    }

    /// Adds `item` at the back, waiting while the queue is full.
    ///
    /// Returns `Err(Closed(item))` if the queue is closed, before or during the wait.
    pub fn put(&self, item: T) -> Result<(), Closed<T>> {
        let mut state = self.lock();
        // A `while`, not an `if`: another producer may fill the free slot between
        // the notification and the moment this thread gets the lock back.
        while state.items.len() == self.capacity && !state.closed {
            state.waiting_putters += 1;
            state = self.not_full.wait(state).unwrap();
            state.waiting_putters -= 1;
        }
        if state.closed {
            return Err(Closed(item));
        }
        state.items.push_back(item);
        self.wake_a_getter(state);
        Ok(())
    }

    /// Adds `item` at the back if there is room right now; never waits.
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut state = self.lock();
        if state.closed {
            return Err(TryPutError::Closed(item));
        }
        if state.items.len() == self.capacity {
            return Err(TryPutError::Full(item));
        }
        state.items.push_back(item);
        self.wake_a_getter(state);
        Ok(())
    }

    /// Takes the item at the front, waiting while the queue is empty and open.
    ///
    /// Returns `None` once the queue is closed and every item has been taken.
    pub fn get(&self) -> Option<T> {
        let mut state = self.lock();
        while state.items.is_empty() && !state.closed {
            state.waiting_getters += 1;
            state = self.not_empty.wait(state).unwrap();
            state.waiting_getters -= 1;
        }
        let item = state.items.pop_front();
        if item.is_some() {
            self.wake_a_putter(state);
        }
        item
    }

    /// Takes the item at the front if there is one right now; never waits.
    pub fn try_get(&self) -> Option<T> {
        let mut state = self.lock();
        let item = state.items.pop_front();
        if item.is_some() {
            self.wake_a_putter(state);
        }
        item
    }

    /// Closes the queue: later puts fail, gets drain what is left and then return
    /// `None`. Every waiting thread wakes up.
    pub fn close(&self) {
        self.lock().closed = true;
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }

    /// How many items the queue holds right now.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// Whether the queue holds no item right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the queue can hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap()
    }

    /// After a put: wakes one thread waiting in `get`, if there is one.
    fn wake_a_getter(&self, state: MutexGuard<'_, State<T>>) {
        let someone_waits = state.waiting_getters > 0;
        drop(state);
        if someone_waits {
            self.not_empty.notify_one();
        }
    }

    /// After a get: wakes one thread waiting in `put`, if there is one.
    fn wake_a_putter(&self, state: MutexGuard<'_, State<T>>) {
        let someone_waits = state.waiting_putters > 0;
        drop(state);
        if someone_waits {
            self.not_full.notify_one();
        }
    }
}
