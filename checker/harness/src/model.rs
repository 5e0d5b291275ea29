//! For the model-checking tier: the failing interleaving a scheduler found,
//! drawn as a [`Watch`] timeline. Replaying a schedule needs shuttle (feature
//! `shuttle`, which the checker turns on only in a topic's model-checking
//! build, beside the topic's own `model-check`).

use crate::timeline::Watch;

#[cfg(feature = "shuttle")]
pub use replay::schedule_timeline;

/// Replaying a schedule under shuttle, step by step.
#[cfg(feature = "shuttle")]
mod replay {
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::{Arc, Mutex};

    use shuttle::scheduler::{ReplayScheduler, Schedule, Scheduler, Task, TaskId};
    use shuttle::{Config, Runner};

    use super::steps_timeline;
    use crate::timeline::Watch;

    /// The steps of a replay: per step, the shuttle task that ran and its name.
    type Steps = Arc<Mutex<Vec<(usize, Option<String>)>>>;

    /// A replay of a schedule that notes which thread (shuttle task, and its
    /// name if it has one) ran at each step.
    struct Recorder {
        replay: ReplayScheduler,
        steps: Steps,
    }

    impl Scheduler for Recorder {
        fn new_execution(&mut self) -> Option<Schedule> {
            self.replay.new_execution()
        }

        fn next_task(
            &mut self,
            runnable: &[&Task],
            current: Option<TaskId>,
            is_yielding: bool,
        ) -> Option<TaskId> {
            let next = self.replay.next_task(runnable, current, is_yielding);
            if let Some(task) = next {
                let name = runnable
                    .iter()
                    .find(|t| t.id() == task)
                    .and_then(|t| t.name());
                self.steps
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((usize::from(task), name));
            }
            next
        }

        fn next_u64(&mut self) -> u64 {
            self.replay.next_u64()
        }
    }

    /// The failing interleaving as a timeline, for the checker to draw: `schedule`
    /// is replayed once under `config` and each stretch of steps one thread ran
    /// becomes an event in that thread's lane; the last one, where the run
    /// failed, is highlighted. Keep it alive until the test panics: it is handed
    /// over then.
    pub fn schedule_timeline(scenario: fn(), schedule: &str, config: Config) -> Watch {
        let steps = Steps::default();
        let recorded = steps.clone();
        // The replay fails as the exploration did; only its steps are wanted.
        let _ = panic::catch_unwind(AssertUnwindSafe(move || {
            let recorder = Recorder {
                replay: ReplayScheduler::new_from_encoded(schedule),
                steps: recorded,
            };
            Runner::new(recorder, config).run(scenario);
        }));
        let steps = std::mem::take(&mut *steps.lock().unwrap_or_else(|e| e.into_inner()));
        steps_timeline(&steps)
    }
}

/// The timeline of a replay's `steps` (per step, the shuttle task that ran
/// and its name): one event per stretch of steps one task ran, in that task's
/// lane, the last stretch (where the run failed) marked.
pub fn steps_timeline(steps: &[(usize, Option<String>)]) -> Watch {
    let mut timeline = Watch::new();
    let mut stretches = 0;
    let mut start = 0;
    for end in 1..=steps.len() {
        if end == steps.len() || steps[end].0 != steps[start].0 {
            let lane = match &steps[start] {
                (0, _) => "main thread (task 0)".to_owned(),
                (task, Some(name)) => format!("{name} (task {task})"),
                (task, None) => format!("thread (task {task})"),
            };
            let label = if end - start == 1 {
                format!("runs step {start}")
            } else {
                format!("runs steps {start}-{}", end - 1)
            };
            timeline.event(lane, label);
            stretches += 1;
            start = end;
        }
    }
    if stretches > 0 {
        timeline.at(stretches - 1);
    }
    timeline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stretch_of_one_task_is_one_event_and_the_last_is_marked() {
        let steps = [
            (0, None),
            (0, None),
            (1, Some("producer".to_owned())),
            (2, None),
            (2, None),
        ];
        let timeline = steps_timeline(&steps).timeline();
        let events: Vec<(u64, &str, &str)> = timeline
            .events
            .iter()
            .map(|e| (e.index, e.lane.as_str(), e.label.as_str()))
            .collect();
        assert_eq!(
            events,
            [
                (0, "main thread (task 0)", "runs steps 0-1"),
                (1, "producer (task 1)", "runs step 2"),
                (2, "thread (task 2)", "runs steps 3-4"),
            ]
        );
        assert_eq!(timeline.offending, [2]);
    }

    #[test]
    fn no_steps_make_an_empty_timeline() {
        let timeline = steps_timeline(&[]).timeline();
        assert!(timeline.events.is_empty());
        assert!(timeline.offending.is_empty());
    }
}
