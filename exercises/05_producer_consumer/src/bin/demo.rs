//! The lesson's program `cp(2, 3)`: two consumers named alex eat what three
//! producers named wusir make (泔水0 … 泔水9 each), through a queue of 10.
//!
//! Given: do not edit. Run it with `cargo run -p producer_consumer --bin demo`.
//! One time unit is 1 s × `THREADLINGS_TIME_SCALE` (default 1).

// No `unsafe` in this program either, just like in the library it runs.
#![forbid(unsafe_code)]

use std::time::Duration;

use producer_consumer::{Event, PipelineConfig, run_with_poison_pills};

/// The lesson's `cp(c_count, p_count)`, with 10 items per producer and a queue of 10.
fn cp(c_count: usize, p_count: usize) {
    let unit = Duration::from_secs_f64(time_scale());
    let cfg = PipelineConfig {
        producers: p_count,
        consumers: c_count,
        items_per_producer: 10,
        capacity: 10,
        max_delay: unit,
        seed: 2024,
    };
    let report = run_with_poison_pills(&cfg);

    let (mut produced, mut consumed, mut done) = (0, 0, 0);
    for event in &report.events {
        match event {
            Event::Produced { producer, item } => {
                produced += 1;
                println!("wusir{producer} 生产了 {item}");
            }
            Event::Consumed { consumer, item } => {
                consumed += 1;
                println!("alex{consumer} 吃了 {item}");
            }
            Event::ConsumerDone { consumer } => {
                done += 1;
                println!("alex{consumer} 吃完了 (done)");
            }
        }
    }
    println!("total: produced {produced}, consumed {consumed}, consumers done {done}");
}

/// `THREADLINGS_TIME_SCALE` as a positive number, 1.0 when unset or invalid.
fn time_scale() -> f64 {
    std::env::var("THREADLINGS_TIME_SCALE")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0)
}

fn main() {
    cp(2, 3);
}
