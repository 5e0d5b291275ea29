//! Pipes: a parent and a child process talking through the child's stdin and stdout.

use std::io::{self, BufRead, BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::Path;
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::thread;

/// Child side: one u32 per input line (surrounding whitespace trimmed, so \r\n is fine;
/// anything u32::from_str rejects, a blank line included, is an error), its square (u64)
/// per output line, flushed per line. A bad line → Err(InvalidData) whose message
/// contains "line N" (1-based).
pub fn serve_squares(input: impl BufRead, mut output: impl Write) -> io::Result<()> {
    for (index, line) in input.lines().enumerate() {
        let line_number = index + 1;
        let line = line?;
        let text = line.trim();
        let number: u32 = text.parse().map_err(|error| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("line {line_number}: {text:?} is not a u32 ({error})"),
            )
        })?;
        let square = u64::from(number) * u64::from(number);
        writeln!(output, "{square}")?;
        // The parent may be waiting for this answer before it sends the next line.
        output.flush()?;
    }
    Ok(())
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
    let stdin = child.stdin.take().expect("stdin was set to piped");
    let stdout = child.stdout.take().expect("stdout was set to piped");
    let mut stderr = child.stderr.take().expect("stderr was set to piped");

    // A pipe holds only about 64 KiB. Writing every number before reading any
    // answer deadlocks on big inputs: the child blocks on its full stdout while
    // we block on its full stdin. So one thread writes, one collects stderr, and
    // this thread reads the answers, all at the same time.
    let (write_result, answers, stderr_text) = thread::scope(|scope| {
        let writer = scope.spawn(|| write_numbers(stdin, numbers));
        let stderr_reader = scope.spawn(move || {
            let mut text = String::new();
            // Whatever could be read is enough to explain a failure.
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let answers = read_answers(stdout);
        (
            writer.join().expect("the writer thread does not panic"),
            answers,
            stderr_reader
                .join()
                .expect("the stderr thread does not panic"),
        )
    });

    // Reap the child: without wait() it would stay a zombie process.
    let status = child.wait()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "{} squares failed ({status}); its stderr: {}",
            worker.display(),
            stderr_text.trim()
        )));
    }
    let answers = answers?;
    if answers.len() != numbers.len() {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "the worker answered {} lines for {} numbers",
                answers.len(),
                numbers.len()
            ),
        ));
    }
    write_result?;
    Ok(answers)
}

/// Writes one number per line, then closes the pipe so the child sees the end of its input.
fn write_numbers(stdin: ChildStdin, numbers: &[u32]) -> io::Result<()> {
    let mut writer = BufWriter::new(stdin);
    for number in numbers {
        writeln!(writer, "{number}")?;
    }
    writer.flush()
    // `writer` (and the pipe inside it) is dropped here: the child reads end-of-file.
}

/// Reads one u64 per line until the child closes its stdout.
///
/// Takes the pipe by value: on an error it is dropped at once, so a child still
/// writing gets "broken pipe" and ends instead of blocking forever.
fn read_answers(stdout: ChildStdout) -> io::Result<Vec<u64>> {
    let mut answers = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let answer = line.trim().parse().map_err(|_| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("the worker answered {line:?}, which is not a number"),
            )
        })?;
        answers.push(answer);
    }
    Ok(answers)
}
