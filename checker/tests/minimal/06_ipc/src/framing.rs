//! Minimal `framing.rs`: the header read byte by byte, the payload through `take`.

use std::io::{self, ErrorKind, Read, Write};

use crate::MAX_FRAME;

/// 4-byte big-endian length then payload; must not flush (the caller batches frames and
/// flushes); payload > MAX_FRAME → InvalidInput, nothing written.
pub fn write_frame(w: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    if payload.len() > MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidInput,
            format!(
                "a frame of {} bytes is over the limit of {MAX_FRAME}",
                payload.len()
            ),
        ));
    }
    let length = u32::try_from(payload.len()).map_err(|_| ErrorKind::InvalidInput)?;
    w.write_all(&length.to_be_bytes())?;
    w.write_all(payload)
}

/// Ok(None) at a clean EOF; UnexpectedEof inside a frame; InvalidData for a length over
/// MAX_FRAME, without allocating it. Works with readers that return one byte at a time.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut header = [0u8; 4];
    let mut filled = 0;
    while filled < header.len() {
        match r.read(&mut header[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "the stream ended inside a frame header",
                ));
            }
            Ok(n) => filled += n,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    let length = u32::from_be_bytes(header) as usize;
    if length > MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("a header announces {length} bytes, over the limit of {MAX_FRAME}"),
        ));
    }
    let mut payload = Vec::with_capacity(length);
    r.take(length as u64).read_to_end(&mut payload)?;
    if payload.len() < length {
        return Err(io::Error::new(
            ErrorKind::UnexpectedEof,
            format!(
                "the stream ended after {} of {length} payload bytes",
                payload.len()
            ),
        ));
    }
    Ok(Some(payload))
}
