//! `Mutex`, `MutexGuard` and `Condvar` with the standard library's API, which
//! record holders and waits (see [`crate::record`]).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{Arc, LockResult, PoisonError, TryLockError, TryLockResult, WaitTimeoutResult};
use std::time::Duration;

use crate::record::{CondvarInfo, LockInfo, WaitRecord};

/// A mutual-exclusion lock: `std::sync::Mutex` that records who holds it and
/// who waits for it. Created at a source line that names it in messages.
pub struct Mutex<T: ?Sized> {
    info: Arc<LockInfo>,
    inner: std::sync::Mutex<T>,
}

/// The lock held: dereferences to the data; unlocks when dropped.
pub struct MutexGuard<'a, T: ?Sized + 'a> {
    /// `None` only while a [`Condvar`] wait has taken it.
    inner: Option<std::sync::MutexGuard<'a, T>>,
    info: &'a LockInfo,
}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    #[track_caller]
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            info: LockInfo::new(Location::caller()),
            inner: std::sync::Mutex::new(value),
        }
    }

    /// The data, consuming the mutex (an error if a holder panicked).
    pub fn into_inner(self) -> LockResult<T> {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Takes the lock, waiting for it as long as needed (an error if a holder
    /// panicked: the guard is inside the error).
    #[track_caller]
    pub fn lock(&self) -> LockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        let taken = match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Err(poisoned),
            Err(TryLockError::WouldBlock) => {
                let _waiting = WaitRecord::lock(&self.info, at);
                self.inner.lock()
            }
        };
        self.info.acquired(at);
        wrap(taken, &self.info)
    }

    /// Takes the lock if it is free now.
    #[track_caller]
    pub fn try_lock(&self) -> TryLockResult<MutexGuard<'_, T>> {
        let at = Location::caller();
        let taken = match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Err(poisoned),
            Err(TryLockError::WouldBlock) => return Err(TryLockError::WouldBlock),
        };
        self.info.acquired(at);
        wrap(taken, &self.info).map_err(TryLockError::Poisoned)
    }

    /// The data, through a unique reference (no locking needed).
    pub fn get_mut(&mut self) -> LockResult<&mut T> {
        self.inner.get_mut()
    }

    /// Whether a holder panicked.
    pub fn is_poisoned(&self) -> bool {
        self.inner.is_poisoned()
    }

    /// Forgets that a holder panicked.
    pub fn clear_poison(&self) {
        self.inner.clear_poison();
    }
}

/// Wraps a standard guard (or the poison error holding one).
fn wrap<'a, T: ?Sized>(
    taken: LockResult<std::sync::MutexGuard<'a, T>>,
    info: &'a LockInfo,
) -> LockResult<MutexGuard<'a, T>> {
    match taken {
        Ok(guard) => Ok(MutexGuard {
            inner: Some(guard),
            info,
        }),
        Err(poisoned) => Err(PoisonError::new(MutexGuard {
            inner: Some(poisoned.into_inner()),
            info,
        })),
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Hands the standard guard to a condition variable: the lock is recorded
    /// as released (the wait releases it).
    fn into_parts(mut self) -> (std::sync::MutexGuard<'a, T>, &'a LockInfo) {
        let guard = self
            .inner
            .take()
            .expect("a MutexGuard holds its lock until it is dropped");
        self.info.released();
        (guard, self.info)
    }

    fn data(&self) -> &std::sync::MutexGuard<'a, T> {
        self.inner
            .as_ref()
            .expect("a MutexGuard holds its lock until it is dropped")
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.data()
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner
            .as_mut()
            .expect("a MutexGuard holds its lock until it is dropped")
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.inner.is_some() {
            self.info.released();
        }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self.data(), f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self.data(), f)
    }
}

/// A condition variable: `std::sync::Condvar` that records who waits on it,
/// from which line.
pub struct Condvar {
    info: Arc<CondvarInfo>,
    inner: std::sync::Condvar,
}

impl Condvar {
    /// A new condition variable.
    #[track_caller]
    pub fn new() -> Condvar {
        Condvar {
            info: CondvarInfo::new(Location::caller()),
            inner: std::sync::Condvar::new(),
        }
    }

    /// Releases the lock and waits for a notification, then takes the lock again.
    #[track_caller]
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
        let at = Location::caller();
        let (guard, info) = guard.into_parts();
        let woken = {
            let _waiting = WaitRecord::condvar(&self.info, info, at, false);
            self.inner.wait(guard)
        };
        info.acquired(at);
        wrap(woken, info)
    }

    /// Waits (as [`Condvar::wait`]) for as long as `condition` holds.
    #[track_caller]
    pub fn wait_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        condition: F,
    ) -> LockResult<MutexGuard<'a, T>>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Location::caller();
        let (guard, info) = guard.into_parts();
        let woken = {
            let _waiting = WaitRecord::condvar(&self.info, info, at, false);
            self.inner.wait_while(guard, condition)
        };
        info.acquired(at);
        wrap(woken, info)
    }

    /// Waits (as [`Condvar::wait`]) at most `timeout`.
    #[track_caller]
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
        let at = Location::caller();
        let (guard, info) = guard.into_parts();
        let woken = {
            let _waiting = WaitRecord::condvar(&self.info, info, at, true);
            self.inner.wait_timeout(guard, timeout)
        };
        info.acquired(at);
        wrap_timed(woken, info)
    }

    /// Waits (as [`Condvar::wait_while`]) at most `timeout`.
    #[track_caller]
    pub fn wait_timeout_while<'a, T, F>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: Duration,
        condition: F,
    ) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)>
    where
        F: FnMut(&mut T) -> bool,
    {
        let at = Location::caller();
        let (guard, info) = guard.into_parts();
        let woken = {
            let _waiting = WaitRecord::condvar(&self.info, info, at, true);
            self.inner.wait_timeout_while(guard, timeout, condition)
        };
        info.acquired(at);
        wrap_timed(woken, info)
    }

    /// Wakes one waiting thread, if any.
    pub fn notify_one(&self) {
        self.inner.notify_one();
    }

    /// Wakes every waiting thread.
    pub fn notify_all(&self) {
        self.inner.notify_all();
    }
}

/// [`wrap`] for a timed wait's result.
fn wrap_timed<'a, T: ?Sized>(
    woken: LockResult<(std::sync::MutexGuard<'a, T>, WaitTimeoutResult)>,
    info: &'a LockInfo,
) -> LockResult<(MutexGuard<'a, T>, WaitTimeoutResult)> {
    let guard = |inner| MutexGuard {
        inner: Some(inner),
        info,
    };
    match woken {
        Ok((inner, timed_out)) => Ok((guard(inner), timed_out)),
        Err(poisoned) => {
            let (inner, timed_out) = poisoned.into_inner();
            Err(PoisonError::new((guard(inner), timed_out)))
        }
    }
}

impl Default for Condvar {
    #[track_caller]
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
