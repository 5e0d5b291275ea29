//! Pipes: a parent and a child process talking through the child's stdin and stdout.
//!
//! `serve_squares` is the child's half (the given `ipc_worker squares` calls it);
//! `squares_via_child` is the parent's half: it starts `ipc_worker squares`,
//! writes numbers into the child's stdin and reads the squares from its stdout.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::io::{self, BufRead, Write};
use std::path::Path;

/// Child side: one u32 per input line (surrounding whitespace trimmed, so \r\n is fine;
/// anything u32::from_str rejects, a blank line included, is an error), its square (u64)
/// per output line, flushed per line. A bad line → Err(InvalidData) whose message
/// contains "line N" (1-based).
///
/// For example the input `"3\n 10 \r\n"` produces the output `"9\n100\n"`, and the
/// input `"1\nten\n"` writes `"1\n"` and then fails with a message like
/// `line 2: "ten" is not a u32`.
pub fn serve_squares(input: impl BufRead, output: impl Write) -> io::Result<()> {
    todo!()
}

/// Parent side: runs `worker squares`, feeds `numbers`, returns squares in order. Must not
/// deadlock on inputs far larger than a pipe buffer; reaps the child. A child that exits
/// non-zero or is killed by a signal → ErrorKind::Other carrying its stderr; one that
/// exits 0 but answers too few lines → ErrorKind::InvalidData (BrokenPipe also acceptable
/// when it exits without reading its input).
///
/// Start the child with `std::process::Command`, its stdin, stdout and stderr
/// all `Stdio::piped()`. A pipe holds only about 64 KiB: write and read at the
/// same time (for example on scoped threads), close stdin when everything is
/// written, and `wait()` for the child before you return.
pub fn squares_via_child(worker: &Path, numbers: &[u32]) -> io::Result<Vec<u64>> {
    todo!()
}
