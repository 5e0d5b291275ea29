//! The worker process the exercises start (given, do not edit).
//!
//! ```text
//! ipc_worker squares              one number per stdin line -> its square per stdout line
//! ipc_worker shm-add <os_id> <n>  adds 1 to the shared-memory counter <os_id>, n times
//! ```
//!
//! Exit codes: 0 on success, 1 when the work failed (one line on stderr says
//! why), 2 for bad arguments (the usage is printed on stderr).

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::io::{self, BufWriter};
use std::process::ExitCode;

const USAGE: &str = "usage: ipc_worker squares
       ipc_worker shm-add <os_id> <n>";

/// What the command line asked for.
enum Command {
    Squares,
    ShmAdd { os_id: String, increments: u64 },
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match parse_args(&args) {
        Ok(command) => command,
        Err(problem) => {
            eprintln!("ipc_worker: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let outcome = match command {
        Command::Squares => {
            // Buffered, so that only the flushes `serve_squares` asks for reach the pipe.
            let output = BufWriter::new(io::stdout().lock());
            ipc::serve_squares(io::stdin().lock(), output).map_err(|error| error.to_string())
        }
        Command::ShmAdd { os_id, increments } => {
            ipc::shm_add(&os_id, increments).map_err(|error| error.to_string())
        }
    };

    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // One line, whatever the message holds, so the parent can show it as is.
            eprintln!("ipc_worker: {}", message.replace('\n', " "));
            ExitCode::from(1)
        }
    }
}

/// Reads the arguments after the program name.
fn parse_args(args: &[String]) -> Result<Command, String> {
    match args {
        [command] if command == "squares" => Ok(Command::Squares),
        [command, os_id, n] if command == "shm-add" => match n.parse::<u64>() {
            Ok(increments) => Ok(Command::ShmAdd {
                os_id: os_id.clone(),
                increments,
            }),
            Err(_) => Err(format!("shm-add: {n:?} is not a number of increments")),
        },
        [] => Err("no command given".to_owned()),
        [command, ..] if command == "squares" || command == "shm-add" => {
            Err(format!("wrong arguments for {command}"))
        }
        [command, ..] => Err(format!("unknown command {command:?}")),
    }
}
