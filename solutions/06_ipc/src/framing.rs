//! Message framing: whole messages over a byte stream.
//!
//! A pipe or a socket carries bytes, not messages: one `read` may return half a
//! message, or the end of one and the start of the next. Framing puts a 4-byte
//! big-endian length in front of every payload so the reader knows where each
//! message ends.

use std::io::{self, ErrorKind, Read, Write};

/// 4-byte big-endian length then payload; must not flush (the caller batches frames and
/// flushes); payload > MAX_FRAME → InvalidInput, nothing written.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    if payload.len() > crate::MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!(
                "a payload of {} bytes is larger than MAX_FRAME ({} bytes)",
                payload.len(),
                crate::MAX_FRAME
            ),
        ));
    }
    // MAX_FRAME fits in a u32, so this conversion cannot fail after the check above.
    let length = u32::try_from(payload.len()).expect("MAX_FRAME fits in a u32");
    // write_all, not write: a writer may accept only part of what it is given.
    w.write_all(&length.to_be_bytes())?;
    w.write_all(payload)
}

/// Ok(None) at a clean EOF; UnexpectedEof inside a frame; InvalidData for a length over
/// MAX_FRAME, without allocating it (tests watch allocations with a counting allocator).
/// Works with readers that return one byte at a time.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; 4];
    // The first byte decides between "no more frames" and "a frame starts here".
    if read_until_full(r, &mut header)? == 0 {
        return Ok(None);
    }
    let length = u32::from_be_bytes(header) as usize;
    // Check before allocating: a corrupt header must not cost gigabytes.
    if length > crate::MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "a frame announces {length} bytes, more than MAX_FRAME ({} bytes)",
                crate::MAX_FRAME
            ),
        ));
    }
    let mut payload = vec![0u8; length];
    // read_exact loops until the buffer is full: `read` may return fewer bytes.
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Fills `header` with as many `read` calls as it takes.
///
/// Returns 0 when the stream ended before its first byte (a clean end); an end
/// after some but not all bytes is an `UnexpectedEof` error.
fn read_until_full(r: &mut impl Read, header: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < header.len() {
        match r.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(0),
            Ok(0) => {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!("the stream ended inside a frame header ({filled} of 4 bytes)"),
                ));
            }
            Ok(n) => filled += n,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}
