//! Message framing: whole messages over a byte stream.
//!
//! A pipe or a socket carries bytes, not messages: one `read` may return half a
//! message, or the end of one and the start of the next. A frame is a 4-byte
//! big-endian length followed by that many payload bytes, so the reader always
//! knows where a message ends. `b"hi"` becomes the six bytes `0 0 0 2 b'h' b'i'`.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::io::{self, Read, Write};

/// 4-byte big-endian length then payload; must not flush (the caller batches frames and
/// flushes); payload > MAX_FRAME → InvalidInput, nothing written.
///
/// Check the size before writing anything (`crate::MAX_FRAME`); `u32::to_be_bytes`
/// gives the header and `write_all` writes a whole buffer.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    todo!()
}

/// Ok(None) at a clean EOF; UnexpectedEof inside a frame; InvalidData for a length over
/// MAX_FRAME, without allocating it (tests watch allocations with a counting allocator).
/// Works with readers that return one byte at a time.
///
/// `read` may return fewer bytes than asked for (and `Ok(0)` means the end of the
/// stream): keep reading until the header is full, tell apart "ended before the
/// first header byte" from "ended inside the frame", and check the length
/// against `crate::MAX_FRAME` before you allocate the payload.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    todo!()
}
