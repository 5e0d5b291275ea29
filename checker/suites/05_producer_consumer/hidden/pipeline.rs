//! Hidden tests of the pipeline: invariants of the event log over many seeds,
//! the backlog bound, shutting down, and bad configurations.

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use producer_consumer::{PipelineConfig, Report, run_with_disconnect, run_with_poison_pills};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use threadlings_harness::within;

use super::pipeline_basics::{HANG_HINT, check_report};

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
    let report = within(Duration::from_secs(10), &what, HANG_HINT, {
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
                let result = within(Duration::from_secs(5), &what, HANG_HINT, {
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
