//! Public tests of the pipeline: every item goes through, with both ways of stopping.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use threadlings_harness::within;

use producer_consumer::{
    Event, PipelineConfig, Report, item_name, run_with_disconnect, run_with_poison_pills,
};

/// Why a pipeline run that does not finish hangs (for [`threadlings_harness::within`]).
pub(crate) const HANG_HINT: &str = "some thread waits forever. Did every consumer get its own poison \
     pill, only after every producer was joined? With disconnect, were all the senders (the main \
     thread's too) dropped?";

/// Checks every invariant of a pipeline's event log; `run` names the function and
/// configuration for the messages.
pub(crate) fn check_report(cfg: &PipelineConfig, report: &Report, run: &str) {
    let mut owner = HashMap::new();
    for producer in 0..cfg.producers {
        for index in 0..cfg.items_per_producer {
            owner.insert(item_name(producer, index), (producer, index));
        }
    }
    let bound = cfg.capacity + cfg.producers + cfg.consumers;
    let mut produced = HashSet::new();
    let mut consumed = HashSet::new();
    let mut done = vec![false; cfg.consumers];
    // last[consumer][producer]: the next index that consumer may see from that producer.
    let mut next = vec![vec![0usize; cfg.producers]; cfg.consumers];
    // If a check below fails, the checker draws the log (one lane per thread)
    // with the event being checked, and its partner, highlighted.
    let mut timeline = timeline_of(report);
    for (at, event) in report.events.iter().enumerate() {
        timeline.at(at);
        match event {
            Event::Produced { producer, item } => {
                let Some(&(owner, _)) = owner.get(item) else {
                    panic!(
                        "{run}: event {at} produced {item:?}, which is not item_name(producer, index) of any producer and index"
                    );
                };
                assert_eq!(
                    *producer, owner,
                    "{run}: event {at}: {item:?} was logged as produced by producer {producer}, but item_name says producer {owner} makes it"
                );
                assert!(
                    produced.insert(item.clone()),
                    "{run}: event {at}: {item:?} was produced twice"
                );
            }
            Event::Consumed { consumer, item } => {
                if !produced.contains(item) {
                    // The other half of the pair: its Produced, logged too late.
                    if let Some(later) = report.events[at..].iter().position(
                        |e| matches!(e, Event::Produced { item: made, .. } if made == item),
                    ) {
                        timeline.also(at + later);
                    }
                }
                assert!(
                    *consumer < cfg.consumers,
                    "{run}: event {at}: consumer index {consumer} but there are {} consumers",
                    cfg.consumers
                );
                assert!(
                    produced.contains(item),
                    "{run}: event {at}: {item:?} was consumed before it was produced (log Produced just before the send, Consumed just after the receive)"
                );
                assert!(
                    consumed.insert(item.clone()),
                    "{run}: event {at}: {item:?} was consumed twice"
                );
                assert!(
                    !done[*consumer],
                    "{run}: event {at}: consumer {consumer} consumed {item:?} after its ConsumerDone"
                );
                let (producer, index) = owner[item];
                assert!(
                    index >= next[*consumer][producer],
                    "{run}: event {at}: consumer {consumer} got {item:?} after a later item of producer {producer}: items must keep their order"
                );
                next[*consumer][producer] = index + 1;
            }
            Event::ConsumerDone { consumer } => {
                assert!(
                    *consumer < cfg.consumers,
                    "{run}: event {at}: ConsumerDone for consumer {consumer} but there are {} consumers",
                    cfg.consumers
                );
                assert!(
                    !done[*consumer],
                    "{run}: event {at}: consumer {consumer} logged ConsumerDone twice"
                );
                done[*consumer] = true;
            }
        }
        let backlog = produced.len() - consumed.len();
        assert!(
            backlog <= bound,
            "{run}: after event {at}, {} items were produced but only {} consumed: a backlog of {backlog}, above \
             capacity + producers + consumers = {bound}. The channel between them must be bounded \
             (crossbeam_channel::bounded(capacity)) so that fast producers wait for slow consumers",
            produced.len(),
            consumed.len()
        );
    }
    timeline.done();
    let total = cfg.producers * cfg.items_per_producer;
    assert_eq!(
        produced.len(),
        total,
        "{run}: {} of {total} items were produced",
        produced.len()
    );
    assert_eq!(
        consumed.len(),
        total,
        "{run}: {} of {total} items were consumed: items were lost (was a poison pill sent before every producer was joined?)",
        consumed.len()
    );
    let missing: Vec<_> = (0..cfg.consumers).filter(|&c| !done[c]).collect();
    assert!(
        missing.is_empty(),
        "{run}: consumers {missing:?} never logged ConsumerDone"
    );
}

/// The log as a timeline: one lane per producer and consumer.
fn timeline_of(report: &Report) -> threadlings_harness::timeline::Watch {
    let mut timeline = threadlings_harness::timeline::Watch::new();
    for event in &report.events {
        match event {
            Event::Produced { producer, item } => {
                timeline.event(format!("producer {producer}"), format!("Produced {item}"));
            }
            Event::Consumed { consumer, item } => {
                timeline.event(format!("consumer {consumer}"), format!("Consumed {item}"));
            }
            Event::ConsumerDone { consumer } => {
                timeline.event(format!("consumer {consumer}"), "ConsumerDone");
            }
        }
    }
    timeline
}

/// Like the lesson's cp(2, 3), with fewer items and short sleeps.
fn lesson_config() -> PipelineConfig {
    PipelineConfig {
        producers: 3,
        consumers: 2,
        items_per_producer: 4,
        capacity: 10,
        max_delay: Duration::from_millis(2),
        seed: 7,
    }
}

#[test]
fn poison_pills_deliver_every_item() {
    threadlings_harness::graded(|| {
        let cfg = lesson_config();
        let report = within(
            Duration::from_secs(10),
            "run_with_poison_pills",
            HANG_HINT,
            {
                let cfg = cfg.clone();
                move || run_with_poison_pills(&cfg)
            },
        );
        check_report(
            &cfg,
            &report,
            "run_with_poison_pills(3 producers with 4 items each, 2 consumers, capacity 10)",
        );
    });
}

#[test]
fn disconnect_delivers_every_item() {
    threadlings_harness::graded(|| {
        let cfg = lesson_config();
        let report = within(Duration::from_secs(10), "run_with_disconnect", HANG_HINT, {
            let cfg = cfg.clone();
            move || run_with_disconnect(&cfg)
        });
        check_report(
            &cfg,
            &report,
            "run_with_disconnect(3 producers with 4 items each, 2 consumers, capacity 10)",
        );
    });
}
