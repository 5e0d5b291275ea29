//! Records every panic of the test process so a failure can name its real cause,
//! such as the `todo!()` a spawned thread hit before the test's own thread failed.

use std::any::Any;
use std::panic::{self, PanicHookInfo};
use std::sync::{Mutex, Once, OnceLock};

use threadlings_protocol::{TODO_MESSAGE, crate_relative};

static PANICS: Mutex<Vec<Recorded>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();
/// Told at once where a `todo!()` was reached (the report's progress line).
static ON_TODO: OnceLock<fn(&str)> = OnceLock::new();

struct Recorded {
    message: String,
    location: Option<String>,
}

/// Installs the recording hook once; the previous hook still prints as usual.
/// `on_todo` is called with the location of every `todo!()` reached (the first
/// caller's function is kept), so this module needs nothing of the report's.
pub(crate) fn install(on_todo: fn(&str)) {
    let _ = ON_TODO.set(on_todo);
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            record(info);
            previous(info);
        }));
    });
}

fn record(info: &PanicHookInfo<'_>) {
    let message = info
        .payload_as_str()
        .unwrap_or("<non-string panic>")
        .to_owned();
    let location = info
        .location()
        .map(|l| format!("{}:{}", crate_relative(l.file()), l.line()));
    if message.starts_with(TODO_MESSAGE)
        && let Some(on_todo) = ON_TODO.get()
    {
        on_todo(location.as_deref().unwrap_or("unknown place"));
    }
    if let Ok(mut panics) = PANICS.lock() {
        panics.push(Recorded { message, location });
    }
}

/// The text of a panic payload: its `&str` or `String`, else `<non-string panic>`.
pub fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".to_owned()
    }
}

/// Where the first `todo!()` of this process was hit, if any (`src/join.rs:12`).
pub(crate) fn first_todo_location() -> Option<String> {
    let panics = PANICS.lock().ok()?;
    panics
        .iter()
        .find(|p| p.message.starts_with(TODO_MESSAGE))
        .map(|p| p.location.clone().unwrap_or_else(|| "unknown place".into()))
}

/// The message shown to a student for a failed test body.
pub(crate) fn describe_failure(test_panic: &str) -> String {
    match first_todo_location() {
        Some(location) => format!("not implemented yet: {location}"),
        None => test_panic.to_owned(),
    }
}
