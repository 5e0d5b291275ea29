//! A bank whose accounts each have their own lock.
//!
//! One lock per account lets transfers between different accounts run at the
//! same time. But a transfer needs two locks, and two threads that take the
//! same two locks in opposite orders can each hold one and wait forever for
//! the other: a deadlock (死锁). The cure is a fixed lock order: every method
//! takes its locks in increasing account id, whatever the transfer's direction.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::TransferError;

/// A set of accounts, numbered from 0, each holding a balance behind its own lock.
///
/// Give it one field: a `Vec<crate::sync::Mutex<u64>>`, one lock per account.
/// Take `Mutex` from `crate::sync` (`use crate::sync::Mutex;`), never from
/// `std::sync`: the checker swaps in a model checker's `Mutex` there.
#[derive(Debug)]
pub struct Bank {
    // Your field goes here.
}

impl Bank {
    /// A bank with one account per entry of `balances`, account `i` holding `balances[i]`.
    ///
    /// Panics if the balances sum past `u64::MAX` (look at `u64::checked_add`):
    /// money is only ever moved, so once the total fits, no transfer can overflow.
    pub fn new(balances: &[u64]) -> Self {
        todo!()
    }

    /// The number of accounts.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// True when the bank has no account at all (given: it uses your `len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The balance of account `id`, or `None` if there is no such account.
    pub fn balance(&self, id: usize) -> Option<u64> {
        todo!()
    }

    /// The sum of all balances, as one consistent snapshot.
    ///
    /// Hold every account's lock at the same time (keep the guards in a `Vec`),
    /// taken in increasing id order, the same order as `transfer` uses. Locking
    /// one account at a time could count money that a transfer is moving twice,
    /// or not at all.
    pub fn total(&self) -> u64 {
        todo!()
    }

    /// Moves `amount` from account `from` to account `to`, all or nothing.
    ///
    /// Checks, in this order:
    /// 1. `from` exists, else `Err(TransferError::NoSuchAccount(from))`;
    /// 2. `to` exists, else `Err(TransferError::NoSuchAccount(to))`;
    /// 3. `from != to`, else `Err(TransferError::SameAccount)`;
    /// 4. `from` holds at least `amount`, else
    ///    `Err(TransferError::InsufficientFunds { needed: amount, available: <from's balance> })`.
    ///
    /// An amount of 0 between two valid, distinct accounts is `Ok(())`.
    /// Lock both accounts, lower id first, and keep both locks until the money has moved.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        todo!()
    }
}
