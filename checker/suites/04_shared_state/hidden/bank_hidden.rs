//! Hidden tests of `src/bank.rs`: the order of the checks, edge amounts, and
//! many seeded random transfers on 8 threads with the total watched meanwhile.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared_state::{Bank, TransferError};

/// The balances of every account, in id order.
fn balances(bank: &Bank) -> Vec<u64> {
    (0..bank.len())
        .map(|id| bank.balance(id).unwrap())
        .collect()
}

#[test]
fn transfer_checks_come_in_the_documented_order() {
    threadlings_harness::graded(|| {
        let bank = Bank::new(&[100, 50]);
        let cases = [
            // (from, to, amount, expected, why)
            (
                7,
                9,
                1,
                Err(TransferError::NoSuchAccount(7)),
                "neither account exists: `from` is checked first",
            ),
            (
                7,
                7,
                1,
                Err(TransferError::NoSuchAccount(7)),
                "a missing account is reported before SameAccount",
            ),
            (
                0,
                9,
                1_000,
                Err(TransferError::NoSuchAccount(9)),
                "a missing `to` is reported before InsufficientFunds",
            ),
            (
                2,
                0,
                1,
                Err(TransferError::NoSuchAccount(2)),
                "ids start at 0: a bank of 2 accounts has no account 2",
            ),
            (
                1,
                1,
                1_000,
                Err(TransferError::SameAccount),
                "SameAccount is reported before InsufficientFunds",
            ),
            (
                0,
                0,
                0,
                Err(TransferError::SameAccount),
                "SameAccount even for an amount of 0",
            ),
            (
                1,
                0,
                u64::MAX,
                Err(TransferError::InsufficientFunds {
                    needed: u64::MAX,
                    available: 50,
                }),
                "needed is the amount, available the balance of `from`",
            ),
        ];
        for (from, to, amount, expected, why) in cases {
            assert_eq!(
                bank.transfer(from, to, amount),
                expected,
                "transfer({from}, {to}, {amount}) on [100, 50]: {why}"
            );
        }
        assert_eq!(
            balances(&bank),
            [100, 50],
            "refused transfers must not change any balance"
        );
    });
}

#[test]
fn transfer_handles_edge_amounts() {
    threadlings_harness::graded(|| {
        let bank = Bank::new(&[0, 7, u64::MAX - 7]);
        assert_eq!(
            bank.transfer(0, 1, 0),
            Ok(()),
            "an amount of 0 from an empty account is Ok"
        );
        assert_eq!(
            bank.transfer(0, 1, 1),
            Err(TransferError::InsufficientFunds {
                needed: 1,
                available: 0
            }),
            "account 0 holds nothing"
        );
        assert_eq!(
            bank.transfer(1, 0, 7),
            Ok(()),
            "moving a whole balance is allowed"
        );
        assert_eq!(
            balances(&bank),
            [7, 0, u64::MAX - 7],
            "after transfer(1, 0, 7)"
        );
        assert_eq!(
            bank.transfer(2, 1, u64::MAX - 7),
            Ok(()),
            "a huge transfer that fits"
        );
        assert_eq!(
            bank.transfer(0, 1, 7),
            Ok(()),
            "the bank now holds u64::MAX in account 1"
        );
        assert_eq!(balances(&bank), [0, u64::MAX, 0], "all money in account 1");
        assert_eq!(
            bank.total(),
            u64::MAX,
            "the total is unchanged by transfers"
        );
    });
}

/// One planned transfer and the only result a correct bank can give for it.
struct Planned {
    from: usize,
    to: usize,
    amount: u64,
    outcome: Outcome,
}

enum Outcome {
    Ok,
    NoSuchAccount(usize),
    InsufficientFunds,
}

/// Accounts in the random test.
const ACCOUNTS: usize = 6;
/// A balance large enough that no small transfer can ever be refused.
const START_BALANCE: u64 = 1 << 40;

/// 20 000 transfers for one thread. Money only moves to higher ids (so the
/// test is about consistency; deadlock has a test of its own). Small amounts
/// always succeed, huge ones never do, and a few name a missing account.
fn plan(seed: u64, thread: u64) -> Vec<Planned> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed * 1_000 + thread);
    (0..20_000)
        .map(|_| {
            let from = rng.random_range(0..ACCOUNTS - 1);
            let to = rng.random_range(from + 1..ACCOUNTS);
            match rng.random_range(0..100) {
                0..=1 => Planned {
                    from,
                    to: ACCOUNTS + from,
                    amount: 1,
                    outcome: Outcome::NoSuchAccount(ACCOUNTS + from),
                },
                2..=6 => Planned {
                    from,
                    to,
                    amount: START_BALANCE * ACCOUNTS as u64 + 1,
                    outcome: Outcome::InsufficientFunds,
                },
                _ => Planned {
                    from,
                    to,
                    amount: rng.random_range(0..=500),
                    outcome: Outcome::Ok,
                },
            }
        })
        .collect()
}

#[test]
fn random_transfers_on_8_threads_keep_every_total() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..3, |seed| {
            const THREADS: u64 = 8;
            let bank = Bank::new(&[START_BALANCE; ACCOUNTS]);
            let expected_total = START_BALANCE * ACCOUNTS as u64;
            let plans: Vec<Vec<Planned>> = (0..THREADS).map(|t| plan(seed, t)).collect();
            let done = AtomicBool::new(false);
            let start = Barrier::new(THREADS as usize + 1);

            let (totals_seen, wrong_totals) = thread::scope(|scope| {
                let watcher = scope.spawn(|| {
                    start.wait();
                    let (mut seen, mut wrong) = (0u64, Vec::new());
                    loop {
                        let finished = done.load(Ordering::Relaxed);
                        let total = bank.total();
                        seen += 1;
                        if total != expected_total && wrong.len() < 5 {
                            wrong.push(total);
                        }
                        if finished {
                            return (seen, wrong);
                        }
                    }
                });
                let workers: Vec<_> = plans
                    .iter()
                    .map(|plan| {
                        let (bank, start) = (&bank, &start);
                        scope.spawn(move || {
                            start.wait();
                            for p in plan {
                                let result = bank.transfer(p.from, p.to, p.amount);
                                let fine = match (&p.outcome, &result) {
                                    (Outcome::Ok, Ok(())) => true,
                                    (Outcome::NoSuchAccount(id), Err(TransferError::NoSuchAccount(got))) => id == got,
                                    (Outcome::InsufficientFunds, Err(TransferError::InsufficientFunds { needed, available })) => {
                                        *needed == p.amount && *available < p.amount
                                    }
                                    _ => false,
                                };
                                assert!(
                                    fine,
                                    "transfer({}, {}, {}) returned {result:?}: every account held far more \
                                     than small amounts, account {} is missing, and {} is more than the \
                                     whole bank holds",
                                    p.from, p.to, p.amount, ACCOUNTS + p.from, START_BALANCE * ACCOUNTS as u64 + 1
                                );
                            }
                        })
                    })
                    .collect();
                for worker in workers {
                    if let Err(payload) = worker.join() {
                        done.store(true, Ordering::Relaxed);
                        std::panic::resume_unwind(payload);
                    }
                }
                done.store(true, Ordering::Relaxed);
                watcher.join().unwrap()
            });

            assert!(
                wrong_totals.is_empty(),
                "while {THREADS} threads ran 20 000 transfers each, total() should always be \
                 {expected_total}, but it returned {wrong_totals:?} (among {totals_seen} calls). \
                 total() must hold every account's lock at the same time, taken in the same order \
                 as transfer's."
            );

            // Every planned result is known, so the final balances are too.
            let mut expected = vec![START_BALANCE; ACCOUNTS];
            for p in plans.iter().flatten() {
                if let Outcome::Ok = p.outcome {
                    expected[p.from] -= p.amount;
                    expected[p.to] += p.amount;
                }
            }
            assert_eq!(
                balances(&bank),
                expected,
                "after every transfer the balances are not what the successful transfers add up to: \
                 was money moved without holding both accounts' locks (a lost update)?"
            );
        });
    });
}
