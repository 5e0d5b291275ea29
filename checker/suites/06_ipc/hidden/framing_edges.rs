//! Hidden tests of src/framing.rs: short reads, partial writes, oversized frames,
//! flushing, and seeded random frame sequences.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, ErrorKind, Read, Write};

use ipc::{MAX_FRAME, read_frame, write_frame};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

// ---------------------------------------------------------------- a counting allocator

/// The system allocator, noting the largest request made by a thread that watches.
struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note_request(size: usize) {
    // `try_with`: allocations can happen while thread-locals are being torn down.
    let _ = WATCHING.try_with(|watching| {
        if watching.get() {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
        }
    });
}

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_request(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_request(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_request(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the largest allocation this thread asked for meanwhile.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|largest| largest.set(0));
    WATCHING.with(|watching| watching.set(true));
    let result = f();
    WATCHING.with(|watching| watching.set(false));
    (result, LARGEST.with(Cell::get))
}

// ---------------------------------------------------------------- awkward streams

/// A reader that returns at most one byte per `read`, as a slow pipe or socket may.
struct OneByteReader<'a>(&'a [u8]);

impl Read for OneByteReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.0.is_empty() {
            return Ok(0);
        }
        buf[0] = self.0[0];
        self.0 = &self.0[1..];
        Ok(1)
    }
}

/// A writer that takes a random number of bytes per `write`, as a full pipe may.
struct ChoppyWriter<'a> {
    bytes: &'a mut Vec<u8>,
    rng: ChaCha8Rng,
}

impl Write for ChoppyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.rng.random_range(1..=buf.len().min(4_096));
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that counts its flushes.
#[derive(Default)]
struct FlushCounter {
    bytes: Vec<u8>,
    flushes: usize,
}

impl Write for FlushCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.flushes += 1;
        Ok(())
    }
}

/// The frames of `payloads`, built by hand: 4-byte big-endian length, then the bytes.
fn encode(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for payload in payloads {
        stream.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        stream.extend_from_slice(payload);
    }
    stream
}

// ---------------------------------------------------------------- tests

#[test]
fn read_frame_handles_a_reader_that_returns_one_byte_at_a_time() {
    threadlings_harness::graded(|| {
        let payloads = vec![
            b"one byte at a time".to_vec(),
            Vec::new(),
            (0..70_000u32).map(|i| (i % 251) as u8).collect(),
            vec![42],
        ];
        let stream = encode(&payloads);
        let mut reader = OneByteReader(&stream);
        for (i, payload) in payloads.iter().enumerate() {
            match read_frame(&mut reader) {
                Ok(Some(frame)) => assert!(
                    frame == *payload,
                    "frame {i} read one byte at a time came back as {} bytes instead of the {} \
                     written (or with other bytes)",
                    frame.len(),
                    payload.len()
                ),
                other => panic!(
                    "frame {i} ({} bytes) read through a reader that returns one byte per \
                     read() gave {:?} instead of Ok(Some(..)): one read() may return fewer \
                     bytes than asked for; keep reading until the header and then the payload \
                     are full (read_exact does that)",
                    payload.len(),
                    other.map(|frame| frame.map(|f| f.len()))
                ),
            }
        }
        match read_frame(&mut reader) {
            Ok(None) => {}
            other => panic!("after the last frame read_frame must return Ok(None), got {other:?}"),
        }

        for (what, torn) in [("header", &stream[..2]), ("payload", &stream[..10])] {
            match read_frame(&mut OneByteReader(torn)) {
                Err(error) if error.kind() == ErrorKind::UnexpectedEof => {}
                other => panic!(
                    "a stream that ends inside a {what}, read one byte at a time, must fail \
                     with UnexpectedEof, got {other:?}"
                ),
            }
        }
    });
}

#[test]
fn oversized_length_is_rejected_without_allocating_it() {
    threadlings_harness::graded(|| {
        for length in [MAX_FRAME as u32 + 1, u32::MAX] {
            let mut stream = length.to_be_bytes().to_vec();
            stream.extend_from_slice(b"a few payload bytes");
            let mut reader = &stream[..];
            let (result, largest) = largest_allocation(|| read_frame(&mut reader));
            match result {
                Err(error) => assert_eq!(
                    error.kind(),
                    ErrorKind::InvalidData,
                    "a header announcing {length} bytes (more than MAX_FRAME = {MAX_FRAME}) \
                     must give InvalidData, got {error:?}"
                ),
                Ok(frame) => panic!(
                    "a header announcing {length} bytes (more than MAX_FRAME = {MAX_FRAME}) \
                     must give InvalidData, got Ok({:?})",
                    frame.map(|f| f.len())
                ),
            }
            assert!(
                largest <= MAX_FRAME,
                "read_frame allocated {largest} bytes for a header announcing {length} bytes \
                 before refusing it: check the length against MAX_FRAME before allocating, or a \
                 corrupt stream can exhaust memory"
            );
        }

        // The limit itself is allowed.
        let payload = vec![7u8; MAX_FRAME];
        let stream = encode(std::slice::from_ref(&payload));
        match read_frame(&mut &stream[..]) {
            Ok(Some(frame)) => assert!(frame == payload, "a MAX_FRAME payload came back changed"),
            other => panic!(
                "a frame of exactly MAX_FRAME bytes is allowed, got {:?}",
                other.map(|frame| frame.map(|f| f.len()))
            ),
        }
    });
}

#[test]
fn oversized_payload_is_rejected_and_nothing_is_written() {
    threadlings_harness::graded(|| {
        let mut sink = b"earlier frames".to_vec();
        let too_big = vec![0u8; MAX_FRAME + 1];
        match write_frame(&mut sink, &too_big) {
            Err(error) => assert_eq!(
                error.kind(),
                ErrorKind::InvalidInput,
                "a payload of MAX_FRAME + 1 bytes must give InvalidInput, got {error:?}"
            ),
            Ok(()) => panic!("write_frame accepted a payload of MAX_FRAME + 1 bytes"),
        }
        assert!(
            sink == b"earlier frames",
            "write_frame refused a payload of MAX_FRAME + 1 bytes but still wrote {} bytes: \
             check the size before writing anything, or the stream is left corrupt",
            sink.len() - b"earlier frames".len()
        );

        let mut sink = Vec::new();
        let largest = vec![1u8; MAX_FRAME];
        if let Err(error) = write_frame(&mut sink, &largest) {
            panic!("a payload of exactly MAX_FRAME bytes is allowed, got {error:?}");
        }
        assert_eq!(
            sink[..4],
            (MAX_FRAME as u32).to_be_bytes(),
            "the header of a MAX_FRAME frame must be its length, big-endian"
        );
        assert_eq!(
            sink.len(),
            4 + MAX_FRAME,
            "a MAX_FRAME frame is 4 + MAX_FRAME bytes"
        );
    });
}

#[test]
fn write_frame_leaves_flushing_to_the_caller() {
    threadlings_harness::graded(|| {
        let mut writer = FlushCounter::default();
        for payload in [&b"batch"[..], b"of", b"frames"] {
            if let Err(error) = write_frame(&mut writer, payload) {
                panic!("write_frame failed: {error:?}");
            }
        }
        assert_eq!(
            writer.flushes, 0,
            "write_frame flushed {} times for 3 frames: it must not flush, so that a caller \
             can batch many frames into one write (the caller flushes)",
            writer.flushes
        );
        assert_eq!(
            writer.bytes,
            encode(&[b"batch".to_vec(), b"of".to_vec(), b"frames".to_vec()]),
            "3 frames were written wrongly"
        );
    });
}

#[test]
fn random_frame_sequences_round_trip() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let count = rng.random_range(0..25);
            let payloads: Vec<Vec<u8>> = (0..count)
                .map(|_| {
                    let len = match rng.random_range(0..10) {
                        0 => 0,
                        1 => rng.random_range(10_000..100_000),
                        _ => rng.random_range(1..300),
                    };
                    let mut payload = vec![0u8; len];
                    rng.fill(&mut payload[..]);
                    payload
                })
                .collect();

            // Written through a writer that accepts a random part of each buffer.
            let mut stream = Vec::new();
            let mut writer = ChoppyWriter {
                bytes: &mut stream,
                rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
            };
            for (i, payload) in payloads.iter().enumerate() {
                if let Err(error) = write_frame(&mut writer, payload) {
                    panic!(
                        "write_frame failed on frame {i} ({} bytes): {error:?}",
                        payload.len()
                    );
                }
            }
            assert!(
                stream == encode(&payloads),
                "{count} frames written through a writer that takes part of each buffer came out \
                 wrong ({} bytes instead of {}): write() may write only part of a buffer; \
                 write_all writes all of it",
                stream.len(),
                encode(&payloads).len()
            );

            // Read back whole, then cut at a random point.
            let cut = rng.random_range(0..=stream.len());
            let mut ends = Vec::new();
            let mut end = 0;
            for payload in &payloads {
                end += 4 + payload.len();
                ends.push(end);
            }
            for (bytes, name) in [(&stream[..], "whole"), (&stream[..cut], "cut")] {
                let mut reader = bytes;
                let whole_frames = ends.iter().filter(|&&e| e <= bytes.len()).count();
                for (i, payload) in payloads.iter().take(whole_frames).enumerate() {
                    match read_frame(&mut reader) {
                        Ok(Some(frame)) => assert!(
                            frame == *payload,
                            "frame {i} of the {name} stream came back changed ({} bytes, \
                             {} written)",
                            frame.len(),
                            payload.len()
                        ),
                        other => panic!(
                            "frame {i} of the {name} stream ({} of {} bytes) gave {:?}",
                            bytes.len(),
                            stream.len(),
                            other.map(|frame| frame.map(|f| f.len()))
                        ),
                    }
                }
                let at_boundary = bytes.is_empty() || ends.contains(&bytes.len());
                match read_frame(&mut reader) {
                    Ok(None) if at_boundary => {}
                    Err(error) if !at_boundary && error.kind() == ErrorKind::UnexpectedEof => {}
                    other => panic!(
                        "the {name} stream ends {} after {whole_frames} whole frames: expected \
                         {}, got {:?}",
                        if at_boundary {
                            "between frames"
                        } else {
                            "inside a frame"
                        },
                        if at_boundary {
                            "Ok(None)"
                        } else {
                            "an UnexpectedEof error"
                        },
                        other.map(|frame| frame.map(|f| f.len()))
                    ),
                }
            }
        });
    });
}
