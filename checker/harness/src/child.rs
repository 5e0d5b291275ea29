//! A `todo!()` reached in a child process (the demo binary, a worker) is told
//! the same way as one reached in the test itself: "not implemented yet: src/x.rs:L".

pub use threadlings_protocol::todo_location;

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
