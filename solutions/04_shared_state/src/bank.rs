//! A bank whose accounts each have their own lock.
//!
//! One lock per account lets transfers between different accounts run at the
//! same time. A transfer needs two locks, and two threads taking the same two
//! locks in opposite orders can wait for each other forever (死锁, deadlock).
//! The cure is a fixed lock order: every method takes locks in increasing
//! account id, whatever the direction of the transfer.

use crate::TransferError;
use crate::sync::Mutex;

/// A set of accounts, numbered from 0, each holding a balance behind its own lock.
#[derive(Debug)]
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    /// A bank with one account per entry of `balances`, account `i` holding `balances[i]`.
    ///
    /// Panics if the balances sum past `u64::MAX`: money is only ever moved,
    /// so once the total fits, no balance can overflow.
    pub fn new(balances: &[u64]) -> Self {
        balances
            .iter()
            .try_fold(0u64, |sum, &b| sum.checked_add(b))
            .expect("the balances must not sum past u64::MAX");
        Bank {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
        }
    }

    /// The number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True when the bank has no account at all.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The balance of account `id`, or `None` if there is no such account.
    pub fn balance(&self, id: usize) -> Option<u64> {
        self.accounts
            .get(id)
            .map(|account| *account.lock().unwrap())
    }

    /// The sum of all balances, as one consistent snapshot.
    ///
    /// Every account's lock is held at the same time, taken in increasing id
    /// order (the same order as `transfer`), so no transfer can be half done.
    pub fn total(&self) -> u64 {
        let guards: Vec<_> = self
            .accounts
            .iter()
            .map(|account| account.lock().unwrap())
            .collect();
        guards.iter().map(|balance| **balance).sum()
    }

    /// Moves `amount` from account `from` to account `to`, all or nothing.
    ///
    /// Checks, in this order: `NoSuchAccount(from)`, `NoSuchAccount(to)`,
    /// `SameAccount`, `InsufficientFunds`. An amount of 0 is fine.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        if from >= self.len() {
            return Err(TransferError::NoSuchAccount(from));
        }
        if to >= self.len() {
            return Err(TransferError::NoSuchAccount(to));
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }

        // Lock the lower id first, whichever way the money goes.
        let (first, second) = (from.min(to), from.max(to));
        let mut first_guard = self.accounts[first].lock().unwrap();
        let mut second_guard = self.accounts[second].lock().unwrap();
        let (from_balance, to_balance) = if from == first {
            (&mut *first_guard, &mut *second_guard)
        } else {
            (&mut *second_guard, &mut *first_guard)
        };

        if *from_balance < amount {
            return Err(TransferError::InsufficientFunds {
                needed: amount,
                available: *from_balance,
            });
        }
        *from_balance -= amount;
        *to_balance += amount;
        Ok(())
    }
}
