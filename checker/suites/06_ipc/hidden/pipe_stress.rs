//! Hidden tests of src/pipe.rs: big inputs, flushing, reaping, failing children.

use std::cell::RefCell;
use std::fs;
use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use ipc::{serve_squares, squares_via_child};

use super::pipe_basics::worker;

/// Writes an executable shell script `dir/name` that stands in for the worker.
pub(crate) fn fake_worker(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("the test could not write a script");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
        .expect("the test could not make its script executable");
    path
}

fn squares_of(numbers: &[u32]) -> Vec<u64> {
    numbers
        .iter()
        .map(|&n| u64::from(n) * u64::from(n))
        .collect()
}

// ---------------------------------------------------------------- flushing

/// What `serve_squares` wrote so far, split at its flushes.
#[derive(Default)]
struct Sink {
    unflushed: Vec<u8>,
    flushed: Vec<u8>,
    /// Lines handed out before the answer to the previous line was flushed.
    late_answers: Vec<usize>,
}

/// An output that keeps its bytes invisible until `flush`, like a real pipe behind a buffer.
struct Recorder(Rc<RefCell<Sink>>);

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().unflushed.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        let mut sink = self.0.borrow_mut();
        let bytes = std::mem::take(&mut sink.unflushed);
        sink.flushed.extend_from_slice(&bytes);
        Ok(())
    }
}

/// An input that hands out one line at a time, like a parent that waits for each
/// answer before it sends the next number; it notes every line handed out before
/// the answer to the line before it was flushed.
struct OneLineAtATime {
    lines: Vec<String>,
    handed_out: usize,
    current: Vec<u8>,
    position: usize,
    sink: Rc<RefCell<Sink>>,
}

impl Read for OneLineAtATime {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for OneLineAtATime {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.position == self.current.len() && self.handed_out < self.lines.len() {
            let mut sink = self.sink.borrow_mut();
            let answered = sink.flushed.iter().filter(|&&b| b == b'\n').count();
            if answered < self.handed_out {
                sink.late_answers.push(self.handed_out + 1);
            }
            self.current = self.lines[self.handed_out].clone().into_bytes();
            self.position = 0;
            self.handed_out += 1;
        }
        Ok(&self.current[self.position..])
    }
    fn consume(&mut self, amount: usize) {
        self.position += amount;
    }
}

#[test]
fn serve_squares_flushes_after_every_line() {
    threadlings_harness::graded(|| {
        let sink = Rc::new(RefCell::new(Sink::default()));
        let input = OneLineAtATime {
            lines: ["5\n", "6\n", "7\n", "8\n"].map(String::from).to_vec(),
            handed_out: 0,
            current: Vec::new(),
            position: 0,
            sink: Rc::clone(&sink),
        };
        let result = serve_squares(input, Recorder(Rc::clone(&sink)));
        assert!(
            result.is_ok(),
            "serve_squares on \"5\\n6\\n7\\n8\\n\" failed: {result:?}"
        );
        let sink = sink.borrow();
        assert!(
            sink.late_answers.is_empty(),
            "serve_squares read line(s) {:?} before flushing the answer to the line before: \
             a parent that waits for each answer would wait forever. Flush the output after \
             every line (and read one line at a time)",
            sink.late_answers
        );
        assert_eq!(
            String::from_utf8_lossy(&sink.flushed),
            "25\n36\n49\n64\n",
            "every answer must be written and flushed"
        );
    });
}

// ---------------------------------------------------------------- big inputs

#[test]
fn squares_via_child_survives_inputs_larger_than_a_pipe_buffer() {
    threadlings_harness::graded(|| {
        const COUNT: u32 = 200_000;
        const LIMIT: Duration = Duration::from_secs(20);
        // About 1.6 MB of input and 3.5 MB of answers: far more than a pipe holds.
        let numbers: Vec<u32> = (0..COUNT).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let expected = squares_of(&numbers);

        let (sender, receiver) = mpsc::channel();
        let input = numbers.clone();
        thread::spawn(move || {
            let _ = sender.send(squares_via_child(worker(), &input));
        });
        let result = match receiver.recv_timeout(LIMIT) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "squares_via_child did not return within {} s for 200 000 numbers: does the \
                 parent write everything before reading? A pipe buffer holds only ~64 KiB: \
                 once both pipes are full the child waits for the parent to read its answers \
                 while the parent waits for the child to read more numbers (a deadlock). \
                 Write on one thread and read on another",
                LIMIT.as_secs()
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("squares_via_child panicked (see its message above)")
            }
        };
        let squares = match result {
            Ok(squares) => squares,
            Err(error) => panic!("squares_via_child failed on 200 000 numbers: {error:?}"),
        };
        assert_eq!(
            squares.len(),
            expected.len(),
            "squares_via_child returned {} squares for {} numbers",
            squares.len(),
            expected.len()
        );
        if let Some(i) = (0..expected.len()).find(|&i| squares[i] != expected[i]) {
            panic!(
                "answer {i} is {}, expected {} (the square of {}): the squares must come back \
                 in input order",
                squares[i], expected[i], numbers[i]
            );
        }
    });
}

// ---------------------------------------------------------------- reaping

#[test]
fn squares_via_child_reaps_its_child() {
    threadlings_harness::graded(|| {
        let dir = tempfile::tempdir().expect("the test could not make a temporary directory");
        let failing = fake_worker(dir.path(), "ipc_reap_fail", "/bin/cat >/dev/null\nexit 3");

        for round in 0..3 {
            let numbers: Vec<u32> = (0..1_000).map(|i| i * (round + 1)).collect();
            match squares_via_child(worker(), &numbers) {
                Ok(squares) => assert_eq!(squares, squares_of(&numbers), "wrong squares"),
                Err(error) => panic!("squares_via_child failed: {error:?}"),
            }
        }
        let result = squares_via_child(&failing, &[1, 2, 3]);
        assert!(
            result.is_err(),
            "a worker that exits with code 3 must give an error, got {result:?}"
        );

        // This test process starts no other child: any child left is one of those.
        let left = match threadlings_harness::unwaited_child() {
            None => return,
            Some(threadlings_harness::UnwaitedChild::Zombie { pid }) => {
                format!("child {pid} ended but is a zombie: nobody waited for it")
            }
            Some(threadlings_harness::UnwaitedChild::Running) => {
                "a child is still running".to_owned()
            }
        };
        panic!(
            "after squares_via_child returned, {left}. A child that ended stays a zombie \
             until its parent waits for it: call child.wait() before returning, on the \
             error paths too"
        );
    });
}

// ---------------------------------------------------------------- failing children

#[test]
fn a_failed_child_is_reported_with_its_stderr() {
    threadlings_harness::graded(|| {
        let dir = tempfile::tempdir().expect("the test could not make a temporary directory");
        // (worker script, how many numbers to send, text its stderr holds, what it does)
        let cases = [
            (
                fake_worker(
                    dir.path(),
                    "reads_then_fails",
                    "/bin/cat >/dev/null\necho 'worker exploded on purpose' >&2\nexit 3",
                ),
                1_000,
                "worker exploded on purpose",
                "reads all its input, then exits with code 3",
            ),
            (
                fake_worker(
                    dir.path(),
                    "fails_at_once",
                    "echo 'gave up before reading' >&2\nexit 4",
                ),
                100_000,
                "gave up before reading",
                "exits with code 4 without reading its input (writing to it fails: broken pipe)",
            ),
            (
                fake_worker(dir.path(), "killed", "/bin/cat >/dev/null\nkill -9 $$"),
                10,
                "",
                "is killed by a signal",
            ),
        ];
        for (script, count, stderr_text, behaviour) in cases {
            let numbers: Vec<u32> = (1..=count).collect();
            match squares_via_child(&script, &numbers) {
                Err(error) => {
                    assert_eq!(
                        error.kind(),
                        ErrorKind::Other,
                        "a worker that {behaviour} must give ErrorKind::Other, got {error:?}: \
                         after the pipes are done, wait() for the child and check its status \
                         before anything else (a broken pipe only follows from its failure)"
                    );
                    assert!(
                        error.to_string().contains(stderr_text),
                        "a worker that {behaviour} printed {stderr_text:?} on its stderr; the \
                         error must carry it, got {:?}. Pipe the child's stderr and read it \
                         (on its own thread, while stdout is read)",
                        error.to_string()
                    );
                }
                Ok(squares) => panic!(
                    "a worker that {behaviour} must give an error, got Ok with {} squares",
                    squares.len()
                ),
            }
        }
    });
}

#[test]
fn a_child_that_answers_too_few_lines_is_invalid_data() {
    threadlings_harness::graded(|| {
        let dir = tempfile::tempdir().expect("the test could not make a temporary directory");
        let one_answer = fake_worker(dir.path(), "one_answer", "/bin/cat >/dev/null\necho 1");
        match squares_via_child(&one_answer, &[1, 2, 3]) {
            Err(error) => assert_eq!(
                error.kind(),
                ErrorKind::InvalidData,
                "a worker that reads 3 numbers, answers 1 line and exits 0 must give \
                 ErrorKind::InvalidData, got {error:?}"
            ),
            Ok(squares) => panic!(
                "a worker that answered 1 line for 3 numbers must give an InvalidData error, \
                 got Ok({squares:?}): check the number of answers"
            ),
        }

        let silent = fake_worker(dir.path(), "silent", "exit 0");
        let numbers: Vec<u32> = (0..100_000).collect();
        match squares_via_child(&silent, &numbers) {
            Err(error) => assert!(
                matches!(error.kind(), ErrorKind::InvalidData | ErrorKind::BrokenPipe),
                "a worker that exits 0 without reading or answering must give InvalidData \
                 (or BrokenPipe), got {error:?}"
            ),
            Ok(squares) => panic!(
                "a worker that answered nothing for 100 000 numbers must give an error, got Ok \
                 with {} squares",
                squares.len()
            ),
        }
    });
}
