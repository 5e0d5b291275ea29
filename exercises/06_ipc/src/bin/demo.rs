//! The lesson's demo (given): one parent process talks to child processes three ways.
//!
//! ```text
//! cargo run -p ipc --bin demo [path/to/ipc_worker]
//! ```
//!
//! Without an argument it uses the `ipc_worker` built next to this program.

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

/// Children for the shared-memory counter, and increments per child.
const PROCESSES: usize = 4;
const INCREMENTS: u64 = 5_000_000;
/// How many threads, then processes, the cost comparison starts.
const HOW_MANY: usize = 20;

fn main() {
    let worker = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()
            .expect("the demo knows where it is")
            .with_file_name("ipc_worker"),
    };
    println!("parent process: pid {}", std::process::id());

    println!("-- a pipe: the child's stdin and stdout --");
    let numbers: Vec<u32> = (1..=10).collect();
    let squares = ipc::squares_via_child(&worker, &numbers).expect("squares_via_child failed");
    println!("sent {} to `ipc_worker squares`", join(&numbers));
    println!("received {}", join(&squares));

    println!("-- framing: whole messages over a byte stream --");
    let messages: [&[u8]; 3] = [b"hello", b"", b"world"];
    let mut stream = Vec::new();
    for message in messages {
        ipc::write_frame(&mut stream, message).expect("writing to a Vec cannot fail");
    }
    let mut reader = &stream[..];
    let mut received = Vec::new();
    while let Some(frame) = ipc::read_frame(&mut reader).expect("the stream holds whole frames") {
        received.push(String::from_utf8_lossy(&frame).into_owned());
    }
    let sent: Vec<String> = messages
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect();
    println!(
        "{} messages {sent:?} -> {} bytes -> {received:?}",
        sent.len(),
        stream.len()
    );

    println!("-- shared memory: one counter, several processes --");
    let total = ipc::shared_memory_count(&worker, PROCESSES, INCREMENTS)
        .expect("shared_memory_count failed");
    println!(
        "{PROCESSES} processes x {INCREMENTS} increments: counter = {total} (expected {})",
        PROCESSES as u64 * INCREMENTS
    );

    println!("-- cost: threads against processes --");
    let start = Instant::now();
    let threads: Vec<_> = (0..HOW_MANY).map(|_| thread::spawn(|| ())).collect();
    for handle in threads {
        handle.join().expect("an empty thread does not panic");
    }
    println!(
        "{HOW_MANY} threads started and joined in {:?}",
        start.elapsed()
    );

    let start = Instant::now();
    for _ in 0..HOW_MANY {
        // `ipc_worker squares` with an empty stdin: start a process, do nothing, end.
        let status = Command::new(&worker)
            .arg("squares")
            .stdin(Stdio::null())
            .status()
            .expect("the worker starts");
        assert!(status.success(), "the worker failed: {status}");
    }
    println!(
        "{HOW_MANY} processes started and reaped in {:?}",
        start.elapsed()
    );
}

/// `[1, 2, 3]` as `"1 2 3"`.
fn join(values: &[impl ToString]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}
