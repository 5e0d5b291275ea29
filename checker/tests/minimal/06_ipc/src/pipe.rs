//! Minimal `pipe.rs`: lines read as bytes; the parent writes on one scoped thread,
//! drains stderr on another and reads stdout on its own.

use std::io::{self, BufRead, BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

/// Child side: one u32 per input line (surrounding whitespace trimmed, so \r\n is fine;
/// anything u32::from_str rejects, a blank line included, is an error), its square (u64)
/// per output line, flushed per line. A bad line → Err(InvalidData) whose message
/// contains "line N" (1-based).
pub fn serve_squares(mut input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        number += 1;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        let value: u32 = text.parse().map_err(|_| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("line {number}: {text:?} is not a u32"),
            )
        })?;
        let square = u64::from(value) * u64::from(value);
        writeln!(output, "{square}")?;
        output.flush()?;
    }
}

/// Parent side: runs `worker squares`, feeds `numbers`, returns squares in order. Must not
/// deadlock on inputs far larger than a pipe buffer; reaps the child. A child that exits
/// non-zero or is killed by a signal → ErrorKind::Other carrying its stderr; one that
/// exits 0 but answers too few lines → ErrorKind::InvalidData (BrokenPipe also acceptable
/// when it exits without reading its input).
pub fn squares_via_child(worker: &Path, numbers: &[u32]) -> io::Result<Vec<u64>> {
    let mut child = Command::new(worker)
        .arg("squares")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(io::Error::other("the child's pipes are missing"));
    };

    let (written, read, errors) = thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            let mut stdin = BufWriter::new(stdin);
            for n in numbers {
                writeln!(stdin, "{n}")?;
            }
            stdin.flush()
            // Dropping `stdin` closes the pipe: the child sees the end of its input.
        });
        let error_reader = scope.spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        });
        let mut squares = Vec::with_capacity(numbers.len());
        let mut read: io::Result<()> = Ok(());
        for line in BufReader::new(stdout).lines() {
            let line = match line {
                Ok(line) => line,
                Err(error) => {
                    read = Err(error);
                    break;
                }
            };
            match line.trim().parse::<u64>() {
                Ok(square) => squares.push(square),
                // Keep draining stdout, so the child (and our writer) never block on it.
                Err(_) if read.is_ok() => {
                    read = Err(io::Error::new(
                        ErrorKind::InvalidData,
                        format!("the worker answered {line:?}, not a number"),
                    ));
                }
                Err(_) => {}
            }
        }
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")));
        let errors = error_reader.join().unwrap_or_default();
        (written, read.map(|()| squares), errors)
    });
    let status = child.wait()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "the worker failed ({status}): {}",
            errors.trim()
        )));
    }
    let squares = read?;
    if squares.len() < numbers.len() {
        // A write error (BrokenPipe: the child stopped reading) only explains the
        // short answer; the answer itself is what is wrong.
        drop(written);
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "the worker answered {} of {} numbers",
                squares.len(),
                numbers.len()
            ),
        ));
    }
    Ok(squares)
}
