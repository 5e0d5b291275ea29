//! The record: every thread that used an instrumented lock, what it waits for,
//! and for each lock its holder. The uncontended path (a lock taken at once,
//! a guard dropped) costs two relaxed atomic stores and a thread-local read;
//! only a thread that is about to block writes its own small record.

use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use crate::analysis::{Holder, Object, Snapshot, ThreadView, Wait};

/// Numbers of the locks and of the condition variables, from 1.
static NEXT_LOCK: AtomicU32 = AtomicU32::new(1);
static NEXT_CONDVAR: AtomicU32 = AtomicU32::new(1);
/// Thread tokens, from 1 (0 is "nobody").
static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);
/// Every thread that used an instrumented lock (finished ones pruned past [`THREADS_KEPT`]).
static THREADS: StdMutex<Vec<Arc<ThreadRecord>>> = StdMutex::new(Vec::new());
/// Thread records kept before finished threads are forgotten.
const THREADS_KEPT: usize = 1024;
/// Threads a snapshot lists at most.
pub(crate) const THREADS_LISTED: usize = 64;

/// One lock's identity and current holder.
#[derive(Debug)]
pub(crate) struct LockInfo {
    pub(crate) id: u32,
    created: &'static Location<'static>,
    /// The holder's token, 0 when free.
    holder: AtomicU64,
    /// Where the holder took it (a `&'static Location`, null when never taken).
    held_at: AtomicPtr<Location<'static>>,
}

impl LockInfo {
    pub(crate) fn new(created: &'static Location<'static>) -> Arc<LockInfo> {
        Arc::new(LockInfo {
            id: NEXT_LOCK.fetch_add(1, Ordering::Relaxed),
            created,
            holder: AtomicU64::new(0),
            held_at: AtomicPtr::new(std::ptr::null_mut()),
        })
    }

    /// The calling thread now holds this lock, taken at `at`.
    #[inline]
    pub(crate) fn acquired(&self, at: &'static Location<'static>) {
        self.held_at
            .store(std::ptr::from_ref(at).cast_mut(), Ordering::Relaxed);
        self.holder.store(current_token(), Ordering::Relaxed);
    }

    /// The holder is about to unlock it.
    #[inline]
    pub(crate) fn released(&self) {
        self.holder.store(0, Ordering::Relaxed);
    }

    fn holder(&self) -> Option<(u64, &'static Location<'static>)> {
        let token = self.holder.load(Ordering::Relaxed);
        let at = self.held_at.load(Ordering::Relaxed);
        if token == 0 || at.is_null() {
            return None;
        }
        // SAFETY: `held_at` only ever holds null or a pointer made from a
        // `&'static Location<'static>` (see `acquired`), valid for the whole program.
        Some((token, unsafe { &*at }))
    }

    fn object(&self) -> Object {
        Object::Lock {
            id: self.id,
            created: place(self.created),
        }
    }
}

/// One condition variable's identity.
#[derive(Debug)]
pub(crate) struct CondvarInfo {
    id: u32,
    created: &'static Location<'static>,
}

impl CondvarInfo {
    pub(crate) fn new(created: &'static Location<'static>) -> Arc<CondvarInfo> {
        Arc::new(CondvarInfo {
            id: NEXT_CONDVAR.fetch_add(1, Ordering::Relaxed),
            created,
        })
    }
}

/// What a blocked thread waits for.
enum Blocker {
    Lock(Arc<LockInfo>),
    Condvar {
        condvar: Arc<CondvarInfo>,
        lock: u32,
        timed: bool,
    },
}

struct Waiting {
    blocker: Blocker,
    at: &'static Location<'static>,
    since: Instant,
}

struct ThreadRecord {
    token: u64,
    tid: i32,
    name: Option<String>,
    finished: AtomicBool,
    waiting: StdMutex<Option<Waiting>>,
}

/// The calling thread's record; marks it finished when the thread ends.
struct Me(Arc<ThreadRecord>);

impl Drop for Me {
    fn drop(&mut self) {
        self.0.finished.store(true, Ordering::Relaxed);
    }
}

thread_local! {
    static ME: Me = Me(register());
}

fn register() -> Arc<ThreadRecord> {
    let record = Arc::new(ThreadRecord {
        token: NEXT_THREAD.fetch_add(1, Ordering::Relaxed),
        tid: current_tid(),
        name: std::thread::current()
            .name()
            .map(|n| n.chars().take(48).collect()),
        finished: AtomicBool::new(false),
        waiting: StdMutex::new(None),
    });
    let mut threads = THREADS.lock().unwrap_or_else(PoisonError::into_inner);
    if threads.len() >= THREADS_KEPT {
        threads.retain(|t| !t.finished.load(Ordering::Relaxed));
    }
    threads.push(Arc::clone(&record));
    record
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn current_tid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn current_tid() -> i32 {
    0
}

/// The calling thread's token (0 while the thread is being torn down).
#[inline]
fn current_token() -> u64 {
    ME.try_with(|me| me.0.token).unwrap_or(0)
}

/// While alive, the calling thread is recorded as waiting; cleared on drop
/// (also when the wait panics).
pub(crate) struct WaitRecord(bool);

impl WaitRecord {
    fn start(blocker: Blocker, at: &'static Location<'static>) -> WaitRecord {
        let recorded = ME
            .try_with(|me| {
                *me.0.waiting.lock().unwrap_or_else(PoisonError::into_inner) = Some(Waiting {
                    blocker,
                    at,
                    since: Instant::now(),
                });
            })
            .is_ok();
        WaitRecord(recorded)
    }

    /// The calling thread is about to block taking `lock` at `at`.
    pub(crate) fn lock(lock: &Arc<LockInfo>, at: &'static Location<'static>) -> WaitRecord {
        WaitRecord::start(Blocker::Lock(Arc::clone(lock)), at)
    }

    /// The calling thread is about to wait on `condvar` (releasing `lock`) at `at`.
    pub(crate) fn condvar(
        condvar: &Arc<CondvarInfo>,
        lock: &LockInfo,
        at: &'static Location<'static>,
        timed: bool,
    ) -> WaitRecord {
        let blocker = Blocker::Condvar {
            condvar: Arc::clone(condvar),
            lock: lock.id,
            timed,
        };
        WaitRecord::start(blocker, at)
    }
}

impl Drop for WaitRecord {
    fn drop(&mut self) {
        if self.0 {
            let _ = ME.try_with(|me| {
                *me.0.waiting.lock().unwrap_or_else(PoisonError::into_inner) = None;
            });
        }
    }
}

/// `src/queue.rs:40`: a location as the student sees it (the path from `src/` on).
fn place(location: &Location<'_>) -> String {
    let file = location.file().replace('\\', "/");
    let file = match file.rfind("/src/") {
        Some(at) => &file[at + 1..],
        None => &file,
    };
    format!("{file}:{}", location.line())
}

/// What every instrumented thread of this process does now: its waits, and who
/// holds the locks it waits for. The calling thread is marked as the observer.
/// At most 64 threads are listed, waiting ones first.
pub fn snapshot() -> Snapshot {
    let me = current_token();
    let threads: Vec<Arc<ThreadRecord>> = THREADS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let token_to_tid = |token: u64| threads.iter().find(|t| t.token == token).map(|t| t.tid);
    let now = Instant::now();
    let mut views: Vec<ThreadView> = threads
        .iter()
        .map(|thread| {
            let waits = thread
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .map(|waiting| {
                    let (on, holder, timed) = match &waiting.blocker {
                        Blocker::Lock(lock) => {
                            let holder = lock.holder().and_then(|(token, at)| {
                                Some(Holder {
                                    tid: token_to_tid(token)?,
                                    at: place(at),
                                })
                            });
                            (lock.object(), holder, false)
                        }
                        Blocker::Condvar {
                            condvar,
                            lock,
                            timed,
                        } => (
                            Object::Condvar {
                                id: condvar.id,
                                created: place(condvar.created),
                                lock: *lock,
                            },
                            None,
                            *timed,
                        ),
                    };
                    Wait {
                        on,
                        at: place(waiting.at),
                        for_secs: now.duration_since(waiting.since).as_secs_f64(),
                        timed,
                        holder,
                    }
                });
            ThreadView {
                tid: thread.tid,
                name: thread.name.clone(),
                finished: thread.finished.load(Ordering::Relaxed),
                observer: thread.token == me,
                waits,
            }
        })
        .collect();
    // Waiting threads first, then live ones, then finished ones.
    views.sort_by_key(|v| (v.waits.is_none(), v.finished));
    views.truncate(THREADS_LISTED);
    Snapshot { threads: views }
}
