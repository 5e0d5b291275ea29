//! How an unfinished exercise shows in a panic report: a `todo!()` reached in a
//! test, in its child processes (the demo binary, a worker) or in a build the
//! checker reads, is told the same way everywhere: "src/x.rs:L".

/// The panic message `todo!()` produces.
pub const TODO_MESSAGE: &str = "not yet implemented";

/// Where a process hit `todo!()`, as `src/join.rs:24`, read from its stderr (or
/// any text holding Rust's panic report); `None` when no `todo!()` panicked.
///
/// Rust reports such a panic on two lines: `thread 'main' panicked at
/// src/join.rs:24:5:` then `not yet implemented`. The path is cut to the crate's
/// `src/…` and the column dropped.
pub fn todo_location(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).find_map(|pair| {
        if !pair[1].trim_start().starts_with(TODO_MESSAGE) {
            return None;
        }
        let (_, place) = pair[0].split_once("panicked at ")?;
        let place = place.trim_end().trim_end_matches(':');
        // `path:line:column`
        let mut parts = place.rsplitn(3, ':');
        let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
        Some(format!("{}:{line}", crate_relative(file)))
    })
}

/// `src/join.rs` out of whatever path rustc was given for the file.
pub fn crate_relative(file: &str) -> String {
    let file = file.replace('\\', "/");
    match file.rfind("/src/") {
        Some(i) => file[i + 1..].to_owned(),
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_todo_panic_is_located_in_the_crate() {
        let stderr = "starting\nthread 'main' panicked at /tmp/sandbox/ref/src/join.rs:24:5:\n\
                      not yet implemented\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(todo_location(stderr).as_deref(), Some("src/join.rs:24"));
        let relative = "thread 'worker' panicked at src/pipe.rs:7:9:\nnot yet implemented: later\n";
        assert_eq!(todo_location(relative).as_deref(), Some("src/pipe.rs:7"));
    }

    #[test]
    fn other_panics_and_quoted_messages_are_not_a_todo() {
        let other = "thread 'main' panicked at src/join.rs:24:5:\nindex out of bounds\n";
        assert_eq!(todo_location(other), None);
        // The words alone, without the panic line before them, are not a panic.
        assert_eq!(todo_location("error: not yet implemented\n"), None);
        assert_eq!(todo_location(""), None);
    }

    #[test]
    fn a_path_is_cut_to_the_crate() {
        assert_eq!(crate_relative("/a/b/src/x.rs"), "src/x.rs");
        assert_eq!(crate_relative(r"C:\b\src\x.rs"), "src/x.rs");
        assert_eq!(crate_relative("x.rs"), "x.rs");
    }
}
