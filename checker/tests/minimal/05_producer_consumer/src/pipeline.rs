//! Minimal `pipeline.rs`: scoped producers and consumers around
//! `crossbeam_channel::bounded(capacity)`.

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Event, PipelineConfig, Report, item_name};

/// Panics naming the first field of `cfg` that is 0 but must not be.
fn validate(cfg: &PipelineConfig) {
    for (field, value) in [
        ("producers", cfg.producers),
        ("consumers", cfg.consumers),
        ("capacity", cfg.capacity),
    ] {
        if value == 0 {
            panic!("{field} must be at least 1, got 0");
        }
    }
}

/// A worker's seeded random sleeps in `[0, max_delay)`.
struct Sleeper {
    rng: ChaCha8Rng,
    max_nanos: u64,
}

impl Sleeper {
    /// `side` keeps producer `i` and consumer `i` on different streams.
    fn new(cfg: &PipelineConfig, side: u64, index: usize) -> Self {
        let stream = (index as u64).wrapping_mul(2).wrapping_add(side);
        Sleeper {
            rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            max_nanos: u64::try_from(cfg.max_delay.as_nanos()).unwrap_or(u64::MAX),
        }
    }

    fn nap(&mut self) {
        if self.max_nanos > 0 {
            thread::sleep(Duration::from_nanos(
                self.rng.random_range(0..self.max_nanos),
            ));
        }
    }
}

/// The shared event log.
struct Log(Mutex<Vec<Event>>);

impl Log {
    fn push(&self, event: Event) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(event);
    }

    fn into_report(self) -> Report {
        Report {
            events: self.0.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// Producer `producer`: its items, each logged just before it is wrapped and sent.
fn produce<M>(
    cfg: &PipelineConfig,
    producer: usize,
    log: &Log,
    sender: &Sender<M>,
    wrap: fn(String) -> M,
) {
    let mut sleeper = Sleeper::new(cfg, 0, producer);
    for index in 0..cfg.items_per_producer {
        sleeper.nap();
        let item = item_name(producer, index);
        log.push(Event::Produced {
            producer,
            item: item.clone(),
        });
        sender
            .send(wrap(item))
            .expect("consumers outlive every producer");
    }
}

/// Consumer `consumer`: takes items until `next` says stop, then logs that it is done.
fn consume<M>(
    cfg: &PipelineConfig,
    consumer: usize,
    log: &Log,
    receiver: &Receiver<M>,
    next: fn(&Receiver<M>) -> Option<String>,
) {
    let mut sleeper = Sleeper::new(cfg, 1, consumer);
    while let Some(item) = next(receiver) {
        log.push(Event::Consumed { consumer, item });
        sleeper.nap();
    }
    log.push(Event::ConsumerDone { consumer });
}

/// Producers, then one None per consumer once every producer has been joined.
pub fn run_with_poison_pills(cfg: &PipelineConfig) -> Report {
    validate(cfg);
    let log = Log(Mutex::new(Vec::new()));
    let (sender, receiver) = crossbeam_channel::bounded::<Option<String>>(cfg.capacity);
    thread::scope(|scope| {
        let consumers: Vec<_> = (0..cfg.consumers)
            .map(|consumer| {
                let (log, receiver) = (&log, &receiver);
                scope.spawn(move || {
                    consume(cfg, consumer, log, receiver, |r| r.recv().ok().flatten())
                })
            })
            .collect();
        let producers: Vec<_> = (0..cfg.producers)
            .map(|producer| {
                let (log, sender) = (&log, &sender);
                scope.spawn(move || produce(cfg, producer, log, sender, Some))
            })
            .collect();
        for handle in producers {
            handle.join().expect("a producer does not panic");
        }
        for _ in 0..cfg.consumers {
            sender.send(None).expect("every consumer is still waiting");
        }
        for handle in consumers {
            handle.join().expect("a consumer does not panic");
        }
    });
    log.into_report()
}

/// No sentinel: consumers stop when every sender has been dropped.
pub fn run_with_disconnect(cfg: &PipelineConfig) -> Report {
    validate(cfg);
    let log = Log(Mutex::new(Vec::new()));
    let (sender, receiver) = crossbeam_channel::bounded::<String>(cfg.capacity);
    thread::scope(|scope| {
        for consumer in 0..cfg.consumers {
            let (log, receiver) = (&log, receiver.clone());
            scope.spawn(move || consume(cfg, consumer, log, &receiver, |r| r.recv().ok()));
        }
        drop(receiver);
        for producer in 0..cfg.producers {
            let (log, sender) = (&log, sender.clone());
            scope.spawn(move || produce(cfg, producer, log, &sender, |item| item));
        }
        drop(sender);
    });
    log.into_report()
}
