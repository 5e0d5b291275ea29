//! The rustc wrapper for processes that cannot serve as one themselves (the
//! checker's own test binaries): see `checker::compile::wrapper`.

use std::process::ExitCode;

fn main() -> ExitCode {
    checker::compile::wrapper::main_if_wrapper().unwrap_or_else(|| {
        eprintln!(
            "threadlings-rustc-wrapper: cargo runs this as its rustc wrapper during a sandbox build"
        );
        ExitCode::from(2)
    })
}
