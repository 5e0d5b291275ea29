//! The lesson's `cp(c_count, p_count)`: producers and consumers joined by a
//! bounded channel, shut down in two ways.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Event, PipelineConfig, Report, item_name};

/// The event log every thread of one run writes to.
type Log = Arc<Mutex<Vec<Event>>>;

/// Producers, then one `None` per consumer once every producer has been joined.
///
/// Panics when `producers`, `consumers` or `capacity` is 0.
pub fn run_with_poison_pills(cfg: &PipelineConfig) -> Report {
    check(cfg);
    let log = Log::default();
    let (tx, rx) = crossbeam_channel::bounded::<Option<String>>(cfg.capacity);

    let consumers: Vec<_> = (0..cfg.consumers)
        .map(|consumer| {
            let (rx, log, cfg) = (rx.clone(), log.clone(), cfg.clone());
            thread::spawn(move || {
                let mut sleeper = Sleeper::new(&cfg, 2 * consumer + 1);
                // `Some(item)` is work; `None` is this consumer's poison pill.
                while let Some(item) = rx.recv().expect("the main thread keeps a sender") {
                    record(&log, Event::Consumed { consumer, item });
                    sleeper.sleep();
                }
                record(&log, Event::ConsumerDone { consumer });
            })
        })
        .collect();

    let producers: Vec<_> = (0..cfg.producers)
        .map(|producer| {
            let (tx, log, cfg) = (tx.clone(), log.clone(), cfg.clone());
            thread::spawn(move || produce(producer, &cfg, &log, |item| tx.send(Some(item))))
        })
        .collect();

    // Every producer must be done before the pills go in: a pill sent earlier
    // would stop a consumer while items are still coming.
    for handle in producers {
        handle.join().expect("a producer panicked");
    }
    for _ in 0..cfg.consumers {
        tx.send(None).expect("the consumers are still receiving");
    }
    for handle in consumers {
        handle.join().expect("a consumer panicked");
    }
    into_report(log)
}

/// No sentinel: consumers stop when every sender has been dropped.
///
/// Panics when `producers`, `consumers` or `capacity` is 0.
pub fn run_with_disconnect(cfg: &PipelineConfig) -> Report {
    check(cfg);
    let log = Log::default();
    let (tx, rx) = crossbeam_channel::bounded::<String>(cfg.capacity);

    let consumers: Vec<_> = (0..cfg.consumers)
        .map(|consumer| {
            let (rx, log, cfg) = (rx.clone(), log.clone(), cfg.clone());
            thread::spawn(move || {
                let mut sleeper = Sleeper::new(&cfg, 2 * consumer + 1);
                // The loop ends once the channel is empty and every sender is gone.
                for item in rx {
                    record(&log, Event::Consumed { consumer, item });
                    sleeper.sleep();
                }
                record(&log, Event::ConsumerDone { consumer });
            })
        })
        .collect();

    let producers: Vec<_> = (0..cfg.producers)
        .map(|producer| {
            let (tx, log, cfg) = (tx.clone(), log.clone(), cfg.clone());
            thread::spawn(move || produce(producer, &cfg, &log, |item| tx.send(item)))
        })
        .collect();
    // The producers hold clones; ours must go too, or the consumers would wait forever.
    drop(tx);

    for handle in producers {
        handle.join().expect("a producer panicked");
    }
    for handle in consumers {
        handle.join().expect("a consumer panicked");
    }
    into_report(log)
}

/// Panics, naming the field, if a count of the configuration is 0.
fn check(cfg: &PipelineConfig) {
    assert!(cfg.producers >= 1, "producers must be at least 1");
    assert!(cfg.consumers >= 1, "consumers must be at least 1");
    assert!(cfg.capacity >= 1, "capacity must be at least 1");
}

/// One producer's work: sleep, log, send, `items_per_producer` times.
fn produce<E: std::fmt::Debug>(
    producer: usize,
    cfg: &PipelineConfig,
    log: &Log,
    send: impl Fn(String) -> Result<(), E>,
) {
    let mut sleeper = Sleeper::new(cfg, 2 * producer);
    for index in 0..cfg.items_per_producer {
        sleeper.sleep();
        let item = item_name(producer, index);
        record(
            log,
            Event::Produced {
                producer,
                item: item.clone(),
            },
        );
        send(item).expect("the consumers are still receiving");
    }
}

fn record(log: &Log, event: Event) {
    log.lock().unwrap().push(event);
}

fn into_report(log: Log) -> Report {
    let events = std::mem::take(&mut *log.lock().unwrap());
    Report { events }
}

/// Random sleeps in `[0, max_delay)`, seeded from the run's seed and the worker.
struct Sleeper {
    rng: ChaCha8Rng,
    max_nanos: u64,
}

impl Sleeper {
    /// `stream` tells workers apart: producers use even numbers, consumers odd ones.
    fn new(cfg: &PipelineConfig, stream: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        rng.set_stream(stream as u64);
        let max_nanos = u64::try_from(cfg.max_delay.as_nanos()).unwrap_or(u64::MAX);
        Sleeper { rng, max_nanos }
    }

    fn sleep(&mut self) {
        if self.max_nanos > 0 {
            let nanos = self.rng.random_range(0..self.max_nanos);
            thread::sleep(Duration::from_nanos(nanos));
        }
    }
}
