//! A `todo!()` reached in a child process (the demo binary, a worker) is told
//! the same way as one reached in the test itself: "not implemented yet: src/x.rs:L".

use crate::panic_capture::crate_relative;

/// The panic message `todo!()` produces.
const TODO_MESSAGE: &str = "not yet implemented";

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

/// Fails the test the way every unfinished exercise fails when the stderr of a
/// child process shows it reached a `todo!()`: `not implemented yet: src/x.rs:L
/// (reached in {process})`. Does nothing otherwise.
///
/// `process` names the child for the student, e.g. `"the demo process"`.
pub fn fail_if_unfinished(stderr: &str, process: &str) {
    if let Some(place) = todo_location(stderr) {
        panic!("not implemented yet: {place} (reached in {process})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload_text;

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
    fn an_unfinished_child_fails_naming_the_place_and_the_process() {
        let stderr = "thread 'main' panicked at src/shm.rs:40:5:\nnot yet implemented\n";
        let payload = std::panic::catch_unwind(|| fail_if_unfinished(stderr, "the demo process"))
            .expect_err("a todo!() in the child must fail the test");
        assert_eq!(
            payload_text(payload.as_ref()),
            "not implemented yet: src/shm.rs:40 (reached in the demo process)"
        );
        fail_if_unfinished("all went well\n", "the demo process");
    }
}
