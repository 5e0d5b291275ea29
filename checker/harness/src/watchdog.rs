//! A watchdog for calls that might hang: run the call on its own thread and
//! give up on it after a time limit, with a message that says what hung and why.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread of its own and returns its value, waiting at most `limit`.
///
/// A panic in `f` is raised again here, so assertions inside `f` fail the test as
/// usual. If `f` has not returned within `limit`, the test fails with
/// `"{what} did not finish within {limit:?}: {why}"`: `what` names the call (with
/// its arguments), `why` gives the likely cause in words a student can act on.
/// The hung thread is left behind; the test process ends soon after anyway.
///
/// ```
/// use std::time::Duration;
///
/// let sum = threadlings_harness::within(
///     Duration::from_secs(5),
///     "adding 2 and 2",
///     "a thread waits forever (deadlock or missed wakeup?)",
///     || 2 + 2,
/// );
/// assert_eq!(sum, 4);
/// ```
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    why: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!("{what} did not finish within {limit:?}: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload_text;

    #[test]
    fn a_quick_call_gives_its_value() {
        let value = within(Duration::from_secs(10), "a quick call", "-", || 41 + 1);
        assert_eq!(value, 42);
    }

    #[test]
    fn a_panic_inside_is_raised_with_its_own_message() {
        let result = panic::catch_unwind(|| {
            within(Duration::from_secs(10), "a failing call", "-", || {
                panic!("the call's own assertion failed")
            })
        });
        let payload = result.expect_err("the panic of the call must reach the caller");
        assert_eq!(
            payload_text(payload.as_ref()),
            "the call's own assertion failed"
        );
    }

    #[test]
    fn a_hung_call_fails_naming_what_and_why() {
        let (_keep_open, never) = mpsc::channel::<()>();
        let result = panic::catch_unwind(move || {
            within(
                Duration::from_millis(50),
                "waiting for nothing",
                "nobody sends",
                move || never.recv(),
            )
        });
        let payload = result.expect_err("a call that never returns must fail the test");
        assert_eq!(
            payload_text(payload.as_ref()),
            "waiting for nothing did not finish within 50ms: nobody sends"
        );
    }
}
