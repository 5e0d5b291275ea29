//! Hidden tests of the pipeline: invariants of the event log over many seeds,
//! the backlog bound, shutting down, and bad configurations.

use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use producer_consumer::{
    Event, PipelineConfig, Report, item_name, run_with_disconnect, run_with_poison_pills,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Runs `f` on its own thread and waits at most `limit` for it; a hang becomes a
/// failure that says `what` did not finish.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!(
            "{what} did not return within {limit:?}: some thread waits forever. Did every consumer get \
             its own poison pill, only after every producer was joined? With disconnect, were all the \
             senders (the main thread's too) dropped?"
        ),
    }
}

/// Checks every invariant of a pipeline's event log; `run` names the function and
/// configuration for the messages.
fn check_report(cfg: &PipelineConfig, report: &Report, run: &str) {
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
    for (at, event) in report.events.iter().enumerate() {
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

type Run = fn(&PipelineConfig) -> Report;

/// Both ways of stopping, by name.
const RUNS: [(&str, Run); 2] = [
    ("run_with_poison_pills", run_with_poison_pills),
    ("run_with_disconnect", run_with_disconnect),
];

/// Runs `run` on `cfg` under a time limit and checks its log.
fn run_and_check(name: &str, run: Run, cfg: &PipelineConfig) {
    let what = format!(
        "{name}({} producers, {} consumers, {} items each, capacity {}, max_delay {:?})",
        cfg.producers, cfg.consumers, cfg.items_per_producer, cfg.capacity, cfg.max_delay
    );
    let report = within(Duration::from_secs(10), &what, {
        let cfg = cfg.clone();
        move || run(&cfg)
    });
    check_report(cfg, &report, &what);
}

/// A random small configuration.
fn random_config(seed: u64) -> PipelineConfig {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    PipelineConfig {
        producers: rng.random_range(1..=4),
        consumers: rng.random_range(1..=4),
        items_per_producer: rng.random_range(1..=25),
        capacity: rng.random_range(1..=4),
        max_delay: Duration::from_micros(rng.random_range(0..=3) * 500),
        seed,
    }
}

#[test]
fn poison_pills_keep_every_invariant() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            run_and_check(
                "run_with_poison_pills",
                run_with_poison_pills,
                &random_config(seed),
            );
        });
    });
}

#[test]
fn disconnect_keeps_every_invariant() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..20, |seed| {
            run_and_check(
                "run_with_disconnect",
                run_with_disconnect,
                &random_config(seed),
            );
        });
    });
}

#[test]
fn backlog_stays_bounded_with_slow_consumers() {
    threadlings_harness::graded(|| {
        // Four producers, one consumer: production outpaces consumption about
        // four to one, so only a bounded channel keeps the backlog small.
        let cfg = PipelineConfig {
            producers: 4,
            consumers: 1,
            items_per_producer: 40,
            capacity: 2,
            max_delay: Duration::from_millis(3),
            seed: 11,
        };
        for (name, run) in RUNS {
            run_and_check(name, run, &cfg);
        }
    });
}

#[test]
fn every_consumer_gets_its_own_poison_pill() {
    threadlings_harness::graded(|| {
        // Many consumers, one producer: every consumer needs a pill of its own.
        let cfg = PipelineConfig {
            producers: 1,
            consumers: 6,
            items_per_producer: 8,
            capacity: 2,
            max_delay: Duration::from_millis(4),
            seed: 3,
        };
        run_and_check("run_with_poison_pills", run_with_poison_pills, &cfg);
    });
}

#[test]
fn pills_wait_for_every_producer() {
    threadlings_harness::graded(|| {
        // Slow producers and a roomy channel: pills sent before the producers
        // finish would reach the consumers while items are still coming.
        let cfg = PipelineConfig {
            producers: 3,
            consumers: 2,
            items_per_producer: 8,
            capacity: 16,
            max_delay: Duration::from_millis(6),
            seed: 5,
        };
        run_and_check("run_with_poison_pills", run_with_poison_pills, &cfg);
    });
}

#[test]
fn disconnect_works_with_many_consumers() {
    threadlings_harness::graded(|| {
        let cfg = PipelineConfig {
            producers: 2,
            consumers: 5,
            items_per_producer: 300,
            capacity: 1,
            max_delay: Duration::ZERO,
            seed: 9,
        };
        run_and_check("run_with_disconnect", run_with_disconnect, &cfg);
    });
}

#[test]
fn zero_in_the_config_panics_naming_the_field() {
    threadlings_harness::graded(|| {
        let good = PipelineConfig {
            producers: 2,
            consumers: 2,
            items_per_producer: 3,
            capacity: 2,
            max_delay: Duration::ZERO,
            seed: 1,
        };
        for field in ["producers", "consumers", "capacity"] {
            let mut cfg = good.clone();
            match field {
                "producers" => cfg.producers = 0,
                "consumers" => cfg.consumers = 0,
                _ => cfg.capacity = 0,
            }
            for (name, run) in RUNS {
                let what = format!("{name} with {field} = 0");
                let result = within(Duration::from_secs(5), &what, {
                    let cfg = cfg.clone();
                    move || {
                        panic::catch_unwind(AssertUnwindSafe(|| run(&cfg)))
                            .map_err(|p| threadlings_harness::payload_text(p.as_ref()))
                    }
                });
                match result {
                    Ok(_) => panic!(
                        "{what} returned a report; it must panic with a message naming `{field}`"
                    ),
                    Err(message) => assert!(
                        message.contains(field),
                        "{what} must panic with a message naming `{field}`, but the message was {message:?}"
                    ),
                }
            }
        }
    });
}
