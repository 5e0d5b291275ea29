//! A bounded blocking queue: the box between producers and consumers.
//!
//! Build it from one `Mutex` and one or two `Condvar`s, taken from
//! `crate::sync` (write `use crate::sync::{Condvar, Mutex};`), never from
//! anywhere else: the checker's model-checking tests swap those types for a
//! model checker's, which then tries thousands of thread interleavings on your queue.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::marker::PhantomData;

use crate::{Closed, TryPutError};

/// A first-in first-out queue holding at most `capacity` items, shared by any
/// number of producer and consumer threads (through an `Arc`).
///
/// `put` waits while the queue is full and `get` waits while it is empty; `close`
/// tells everyone that no more items will come.
pub struct BoundedQueue<T> {
    // Replace this placeholder with your fields: a `Mutex` around the items
    // (a `VecDeque<T>`) and a `closed` flag, the `Condvar`s that waiting
    // threads sleep on, and the capacity.
    _placeholder: PhantomData<T>,
}

impl<T> BoundedQueue<T> {
    /// An empty, open queue that holds at most `capacity` items.
    ///
    /// Panics with "capacity must be at least 1" when `capacity` is 0.
    pub fn new(capacity: usize) -> Self {
        todo!()
    }

    /// Adds `item` at the back, waiting while the queue is full.
    ///
    /// Returns `Err(Closed(item))` if the queue is closed, before or during the wait.
    /// Wake a waiting `get` afterwards: it may be sleeping on an empty queue.
    pub fn put(&self, item: T) -> Result<(), Closed<T>> {
        todo!()
    }

    /// Adds `item` at the back if there is room right now; never waits.
    ///
    /// `Err(TryPutError::Closed(item))` on a closed queue, even a full one (closed
    /// wins over full); `Err(TryPutError::Full(item))` on an open, full queue.
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        todo!()
    }

    /// Takes the item at the front, waiting while the queue is empty and open.
    ///
    /// Returns `None` once the queue is closed and every item has been taken.
    /// Wake a waiting `put` afterwards: it may be sleeping on a full queue.
    pub fn get(&self) -> Option<T> {
        todo!()
    }

    /// Takes the item at the front if there is one right now; never waits.
    pub fn try_get(&self) -> Option<T> {
        todo!()
    }

    /// Closes the queue: later puts fail, gets drain what is left and then return
    /// `None`. Every waiting thread, putter or getter, must wake up.
    pub fn close(&self) {
        todo!()
    }

    /// How many items the queue holds right now (never more than the capacity).
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Whether the queue holds no item right now.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// The most items the queue can hold, as given to [`BoundedQueue::new`].
    pub fn capacity(&self) -> usize {
        todo!()
    }
}
