//! Minimal `bank.rs`: one lock per account, always taken in increasing id order.

// The contract gives `Bank` no `is_empty`: tests must not need one.
#![allow(clippy::len_without_is_empty)]

use crate::TransferError;
use crate::sync::{Mutex, MutexGuard};

/// A set of accounts, numbered from 0, each holding a balance behind its own lock.
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

/// Locks one account (a poisoned lock still holds a consistent balance: every
/// update below is a single assignment).
fn lock(account: &Mutex<u64>) -> MutexGuard<'_, u64> {
    account.lock().unwrap_or_else(|e| e.into_inner())
}

impl Bank {
    /// Panics if the balances sum past u64::MAX (so no transfer can overflow).
    pub fn new(balances: &[u64]) -> Self {
        let fits = balances
            .iter()
            .try_fold(0u64, |sum, &balance| sum.checked_add(balance));
        assert!(fits.is_some(), "the balances sum past u64::MAX");
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| Mutex::new(balance))
                .collect(),
        }
    }

    /// The number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// The balance of account `id`, or `None` if there is no such account.
    pub fn balance(&self, id: usize) -> Option<u64> {
        self.accounts.get(id).map(|account| *lock(account))
    }

    /// A consistent snapshot: every account's lock held at once, taken in a fixed order.
    pub fn total(&self) -> u64 {
        let guards: Vec<MutexGuard<'_, u64>> = self.accounts.iter().map(lock).collect();
        guards.iter().map(|guard| **guard).sum()
    }

    /// Atomic and deadlock-free under any mix of concurrent transfers. Checks in this
    /// order: NoSuchAccount(from), NoSuchAccount(to), SameAccount, InsufficientFunds.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        let source = self
            .accounts
            .get(from)
            .ok_or(TransferError::NoSuchAccount(from))?;
        let target = self
            .accounts
            .get(to)
            .ok_or(TransferError::NoSuchAccount(to))?;
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let (mut source, mut target) = if from < to {
            let source = lock(source);
            (source, lock(target))
        } else {
            let target = lock(target);
            (lock(source), target)
        };
        if *source < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available: *source,
            });
        }
        *source -= amount;
        *target += amount;
        Ok(())
    }
}
