//! Seeded randomness that a student can replay.

use std::panic::{self, AssertUnwindSafe};

use crate::panic_capture::payload_text;

/// Environment variable that pins [`with_seeds`] to one seed (set by `cargo xtask check --seed`).
pub const SEED_ENV: &str = crate::protocol::env::SEED;

/// Runs `body` once per seed in `seeds`, or only for `THREADLINGS_SEED` when it is set.
///
/// A failure is re-raised with the seed and the command that replays it.
pub fn with_seeds(seeds: impl IntoIterator<Item = u64>, mut body: impl FnMut(u64)) {
    let pinned = std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    let seeds: Vec<u64> = match pinned {
        Some(seed) => vec![seed],
        None => seeds.into_iter().collect(),
    };
    for seed in seeds {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| body(seed))) {
            let message = payload_text(payload.as_ref());
            panic!("{message}\n{}", replay_hint(seed));
        }
    }
}

/// "seed 42 — replay with: cargo xtask check 05_producer_consumer --test NAME --seed 42".
pub fn replay_hint(seed: u64) -> String {
    let topic = std::env::var(crate::protocol::env::TOPIC).unwrap_or_else(|_| "TOPIC".into());
    let test = std::thread::current()
        .name()
        .map(|n| n.rsplit("::").next().unwrap_or(n).to_owned())
        .unwrap_or_else(|| "TEST".into());
    format!("seed {seed} — replay with: cargo xtask check {topic} --test {test} --seed {seed}")
}
