//! Minimal `queue.rs`: one lock, two condition variables (one per reason to wait),
//! `notify_one` for items and free slots, `notify_all` only on close.

use std::collections::VecDeque;

use crate::sync::{Condvar, Mutex, MutexGuard};
use crate::{Closed, TryPutError};

/// What the lock protects.
struct Inner<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// A bounded blocking FIFO queue.
pub struct BoundedQueue<T> {
    inner: Mutex<Inner<T>>,
    /// Getters wait here for an item (or the close).
    item_ready: Condvar,
    /// Putters wait here for a free slot (or the close).
    slot_free: Condvar,
    capacity: usize,
}

impl<T> BoundedQueue<T> {
    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An empty, open queue that holds at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        if capacity == 0 {
            panic!("capacity must be at least 1");
        }
        BoundedQueue {
            inner: Mutex::new(Inner {
                items: VecDeque::with_capacity(capacity.min(1024)),
                closed: false,
            }),
            item_ready: Condvar::new(),
            slot_free: Condvar::new(),
            capacity,
        }
    }

    /// Blocks while full; `Err(Closed(item))` once closed.
    pub fn put(&self, item: T) -> Result<(), Closed<T>> {
        let mut inner = self.lock();
        loop {
            if inner.closed {
                return Err(Closed(item));
            }
            if inner.items.len() < self.capacity {
                break;
            }
            inner = self
                .slot_free
                .wait(inner)
                .unwrap_or_else(|e| e.into_inner());
        }
        inner.items.push_back(item);
        drop(inner);
        self.item_ready.notify_one();
        Ok(())
    }

    /// Never blocks; closed wins over full.
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut inner = self.lock();
        if inner.closed {
            return Err(TryPutError::Closed(item));
        }
        if inner.items.len() >= self.capacity {
            return Err(TryPutError::Full(item));
        }
        inner.items.push_back(item);
        drop(inner);
        self.item_ready.notify_one();
        Ok(())
    }

    /// Blocks while empty and open; `None` once closed and drained.
    pub fn get(&self) -> Option<T> {
        let mut inner = self.lock();
        loop {
            if let Some(item) = inner.items.pop_front() {
                drop(inner);
                self.slot_free.notify_one();
                return Some(item);
            }
            if inner.closed {
                return None;
            }
            inner = self
                .item_ready
                .wait(inner)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Never blocks.
    pub fn try_get(&self) -> Option<T> {
        let item = self.lock().items.pop_front();
        if item.is_some() {
            self.slot_free.notify_one();
        }
        item
    }

    /// Wakes every waiter; later puts fail.
    pub fn close(&self) {
        self.lock().closed = true;
        self.item_ready.notify_all();
        self.slot_free.notify_all();
    }

    /// Items held right now.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }

    /// Whether no item is held right now.
    pub fn is_empty(&self) -> bool {
        self.lock().items.is_empty()
    }

    /// The capacity given to `new`.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
