//! The counter at the start of a shared-memory segment, without `unsafe` in your code.
//!
//! This crate is given with topic 06: use it, do not edit it (a submission's copy
//! of it is never read; grading always uses this one).
//!
//! A shared-memory segment is a block of bytes that the operating system maps
//! into several processes. To count in it, the first 8 bytes are viewed as an
//! [`AtomicU64`]. The compiler cannot check that step (how long the segment is,
//! whether its start is aligned, how long it stays mapped), so it needs one line
//! of `unsafe`, and every topic crate starts with `#![forbid(unsafe_code)]`
//! (student files never contain `unsafe`). That line lives here instead, checked
//! once, behind a safe function:
//!
//! ```
//! use std::sync::atomic::Ordering;
//!
//! use shared_memory::ShmemConf;
//!
//! let segment = ShmemConf::new().size(8).create().expect("a new segment");
//! let counter = shm_counter::atomic_counter(&segment).expect("room for a counter");
//! counter.fetch_add(1, Ordering::Relaxed);
//! assert_eq!(counter.load(Ordering::Relaxed), 1);
//! ```

// Any `unsafe` block here must say why it is sound.
#![deny(clippy::undocumented_unsafe_blocks)]

use std::sync::atomic::AtomicU64;

use shared_memory::Shmem;

/// The [`AtomicU64`] stored in the first 8 bytes of `segment`.
///
/// Every process that maps the same segment gets the same counter: a
/// `fetch_add` in one of them is seen by all the others. The counter is
/// borrowed from `segment`, so the compiler makes sure it is never used after
/// the `Shmem` is dropped (which unmaps the memory).
///
/// `None` when the segment has fewer than 8 bytes, or (never the case with the
/// `shared_memory` crate, which maps whole pages) when its start is not 8-byte
/// aligned.
pub fn atomic_counter(segment: &Shmem) -> Option<&AtomicU64> {
    let start = segment.as_ptr().cast::<AtomicU64>();
    if segment.len() < size_of::<AtomicU64>() || start.is_null() || !start.is_aligned() {
        return None;
    }
    // SAFETY: `start` points to a live mapping of `segment.len()` readable and
    // writable bytes (shared_memory maps them PROT_READ | PROT_WRITE), at least 8
    // of them and suitably aligned for an AtomicU64 (both checked above). The
    // mapping is removed only when `segment` is dropped, and the returned reference
    // borrows `segment`, so it cannot outlive the mapping. Any 8 bytes are a valid
    // AtomicU64, which is only ever accessed atomically through shared references,
    // so any number of such references (in this process and others) may coexist.
    // Safe code cannot create a conflicting `&mut [u8]` over the segment:
    // `Shmem::as_slice_mut` is `unsafe`. (Another process could still write
    // the bytes non-atomically or shrink the segment; that is a bug of that
    // process, which Rust cannot check across processes.)
    Some(unsafe { &*start })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use shared_memory::ShmemConf;

    use super::atomic_counter;

    #[test]
    fn two_mappings_of_one_segment_share_the_counter() {
        let created = ShmemConf::new().size(8).create().unwrap();
        let opened = ShmemConf::new().os_id(created.get_os_id()).open().unwrap();
        let counter = atomic_counter(&created).unwrap();
        counter.store(41, Ordering::SeqCst);
        atomic_counter(&opened)
            .unwrap()
            .fetch_add(1, Ordering::SeqCst);
        assert_eq!(counter.load(Ordering::SeqCst), 42);
    }

    #[test]
    fn a_segment_too_small_has_no_counter() {
        let small = ShmemConf::new().size(4).create().unwrap();
        assert!(atomic_counter(&small).is_none());
    }
}
