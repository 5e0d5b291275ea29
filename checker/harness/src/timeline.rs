//! A picture of a failing run: a test that checks an invariant over an event
//! log hands the log over, and the checker draws it (one lane per thread, the
//! event that broke the invariant highlighted with the failure's words).
//!
//! ```ignore
//! let mut timeline = threadlings_harness::timeline::Watch::new();
//! for event in &log {
//!     timeline.event(lane_of(event), label_of(event));
//! }
//! for (at, event) in log.iter().enumerate() {
//!     timeline.at(at); // a check failing now blames event `at`
//!     assert!(invariant_holds(event), "event {at}: ...");
//! }
//! timeline.done(); // later checks blame no single event
//! ```
//!
//! Nothing changes for a passing test, and the test's failure message stays
//! its own: the [`Watch`] only notices the panic as it unwinds, and [`graded`]
//! sends the log beside the message. The timeline is a picture, never a verdict.
//!
//! [`graded`]: crate::graded

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::protocol::{TIMELINE_EVENT_CAP, TIMELINE_TEXT_CAP, Timeline, TimelineEvent};

/// The timeline handed over by the first [`Watch`] that saw its thread panic.
static HANDED_OVER: Mutex<Option<Timeline>> = Mutex::new(None);

/// Takes the timeline handed over since the last call, if any (for [`crate::graded`]).
pub(crate) fn take() -> Option<Timeline> {
    HANDED_OVER.lock().ok().and_then(|mut slot| slot.take())
}

/// An event log being checked. If the thread panics (an assertion fails)
/// while the watch is alive, the log goes with the failure, the event named by
/// the last [`Watch::at`] (and any [`Watch::also`]) marked as the offending ones.
#[derive(Debug, Default)]
pub struct Watch {
    events: Vec<(String, String)>,
    at: Option<usize>,
    also: Vec<usize>,
}

impl Watch {
    /// An empty log.
    pub fn new() -> Watch {
        Watch::default()
    }

    /// Appends an event: `lane` names the thread or process that logged it
    /// (`producer 1`), `label` what happened (`Produced p1-0`).
    pub fn event(&mut self, lane: impl Into<String>, label: impl Into<String>) {
        self.events.push((lane.into(), label.into()));
    }

    /// The event being checked now (its position in the log): a check that
    /// fails before the next `at` is about it.
    pub fn at(&mut self, index: usize) {
        self.at = Some(index);
        self.also.clear();
    }

    /// Another event the failing check is about (the other half of a pair,
    /// such as the `Produced` logged after its `Consumed`).
    pub fn also(&mut self, index: usize) {
        self.also.push(index);
    }

    /// The checks of single events are over: a later failure (a count at the
    /// end) still sends the log, with no event marked.
    pub fn done(&mut self) {
        self.at = None;
        self.also.clear();
    }

    /// The log as sent: every event, or (a long log) those around the
    /// offending ones, each string cut to [`TIMELINE_TEXT_CAP`] characters.
    pub(crate) fn timeline(&self) -> Timeline {
        let total = self.events.len();
        let offending: BTreeSet<usize> = self
            .at
            .iter()
            .chain(&self.also)
            .copied()
            .filter(|&i| i < total)
            .collect();
        let kept = kept_positions(total, &offending);
        Timeline {
            events: kept
                .into_iter()
                .map(|index| TimelineEvent {
                    index: index as u64,
                    lane: cut(&self.events[index].0),
                    label: cut(&self.events[index].1),
                })
                .collect(),
            offending: offending.into_iter().map(|i| i as u64).collect(),
            total: total as u64,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Ok(mut slot) = HANDED_OVER.lock()
            && slot.is_none()
        {
            *slot = Some(self.timeline());
        }
    }
}

/// Positions of the events to send: all of them if they fit, else windows
/// around the offending ones (the end of the log when none is marked).
fn kept_positions(total: usize, offending: &BTreeSet<usize>) -> Vec<usize> {
    if total <= TIMELINE_EVENT_CAP {
        return (0..total).collect();
    }
    if offending.is_empty() {
        return (total - TIMELINE_EVENT_CAP..total).collect();
    }
    let half = TIMELINE_EVENT_CAP / (2 * offending.len()) - 1;
    let kept: BTreeSet<usize> = offending
        .iter()
        .flat_map(|&at| at.saturating_sub(half)..=(at + half).min(total - 1))
        .collect();
    kept.into_iter().take(TIMELINE_EVENT_CAP).collect()
}

/// `text` cut to [`TIMELINE_TEXT_CAP`] characters, with a marker.
fn cut(text: &str) -> String {
    if text.chars().count() <= TIMELINE_TEXT_CAP {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(TIMELINE_TEXT_CAP - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_panic_hands_the_log_over_with_the_offending_events() {
        let _ = take();
        let result = std::panic::catch_unwind(|| {
            let mut watch = Watch::new();
            watch.event("consumer 0", "Consumed a");
            watch.event("producer 0", "Produced a");
            watch.at(0);
            watch.also(1);
            panic!("event 0: a was consumed before it was produced");
        });
        assert!(result.is_err());
        let timeline = take().expect("handed over");
        assert_eq!(timeline.offending, [0, 1]);
        assert_eq!(timeline.total, 2);
        assert_eq!(timeline.events[1].lane, "producer 0");
        assert!(take().is_none(), "taken once");

        // (In the same test: the slot is the process's.) No panic, nothing handed over.
        let mut watch = Watch::new();
        watch.event("t", "e");
        watch.at(0);
        drop(watch);
        assert!(take().is_none());
    }

    #[test]
    fn a_long_log_keeps_the_events_around_the_offending_ones() {
        let offending = BTreeSet::from([5000]);
        let kept = kept_positions(10_000, &offending);
        assert!(kept.len() <= TIMELINE_EVENT_CAP);
        assert!(kept.contains(&5000) && kept.contains(&4900) && kept.contains(&5100));
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        let kept = kept_positions(10_000, &BTreeSet::new());
        assert_eq!(kept.last(), Some(&9999));
        assert_eq!(kept.len(), TIMELINE_EVENT_CAP);
        assert_eq!(kept_positions(3, &BTreeSet::from([1])), [0, 1, 2]);
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(1000);
        assert_eq!(cut(&long).chars().count(), TIMELINE_TEXT_CAP);
        assert_eq!(cut("short"), "short");
    }
}
