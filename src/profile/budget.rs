//! The memory budget of one run: how many bytes of decoded profile data all the profiles read
//! at the same time may hold together (`--max-decompressed-size`).
//!
//! Profiles are read in parallel. A cap per file would let memory grow to threads × cap, so
//! the cap is one budget shared by every read of the run: a protobuf profile's inflated bytes
//! and the tables decoded from them are charged to it while the profile is read, and given
//! back when the read ends. Text dumps are streamed and hold nothing but a bounded buffer.
//!
//! Whether a file is accepted must not depend on what else happened to be read at the same
//! time. So a read that finds the budget taken by others ([`Exhausted::Busy`]) gives back what
//! it holds and is retried alone ([`InflateBudget::alone`]): then only a file that exceeds the
//! whole budget by itself fails ([`Exhausted::TooLarge`]). Charges happen before a read hands
//! out its first sample, so a retried read never counts a sample twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The bytes all profile reads of one run may hold at once; see the module documentation.
#[derive(Debug)]
pub struct InflateBudget {
    limit: u64,
    used: AtomicU64,
    /// Shared by reads that run side by side; taken exclusively by a read retried alone.
    turns: RwLock<()>,
}

/// Why a charge was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    /// This read alone would hold more than the whole budget.
    TooLarge,
    /// Other reads hold part of the budget; alone, this read might fit.
    Busy,
}

impl InflateBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> InflateBudget {
        InflateBudget {
            limit,
            used: AtomicU64::new(0),
            turns: RwLock::new(()),
        }
    }

    /// The whole budget in bytes: also the most one profile may inflate to.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes held by reads in progress.
    pub fn in_use(&self) -> u64 {
        self.used.load(Ordering::Acquire)
    }

    /// Waits until no read runs alone, then lets this one run beside the others.
    pub(super) fn shared(&self) -> RwLockReadGuard<'_, ()> {
        self.turns.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until every other read is done, and keeps others out until the guard is dropped.
    pub(super) fn alone(&self) -> RwLockWriteGuard<'_, ()> {
        self.turns.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty charge against this budget, to grow while a profile is read.
    pub(super) fn charge(&self) -> Charge<'_> {
        Charge {
            budget: self,
            held: 0,
        }
    }
}

/// Bytes one read holds; given back when dropped.
#[derive(Debug)]
pub(super) struct Charge<'b> {
    budget: &'b InflateBudget,
    held: u64,
}

impl Charge<'_> {
    /// Takes `bytes` more from the budget, or says why it cannot.
    pub fn grow(&mut self, bytes: u64) -> Result<(), Exhausted> {
        let limit = self.budget.limit;
        if self.held.saturating_add(bytes) > limit {
            return Err(Exhausted::TooLarge);
        }
        self.budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= limit)
            })
            .map_err(|_| Exhausted::Busy)?;
        self.held += bytes;
        Ok(())
    }

    /// Gives `bytes` back, once the memory they stood for is freed.
    pub fn shrink(&mut self, bytes: u64) {
        let bytes = bytes.min(self.held);
        self.budget.used.fetch_sub(bytes, Ordering::AcqRel);
        self.held -= bytes;
    }

    /// Bytes this read holds.
    #[cfg(test)]
    pub fn held(&self) -> u64 {
        self.held
    }

    /// The whole budget in bytes.
    pub fn limit(&self) -> u64 {
        self.budget.limit
    }
}

impl Drop for Charge<'_> {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.held, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_share_one_budget() {
        let budget = InflateBudget::new(100);
        let mut charges = [budget.charge(), budget.charge()];
        for (which, bytes, expected) in [
            (0, 60, Ok(())),
            // More than the whole budget on its own: the file is too large.
            (1, 101, Err(Exhausted::TooLarge)),
            // Would fit alone, but the first read holds 60: busy.
            (1, 50, Err(Exhausted::Busy)),
            (1, 40, Ok(())),
            (0, 1, Err(Exhausted::Busy)),
        ] {
            assert_eq!(charges[which].grow(bytes), expected, "{which} {bytes}");
        }
        let [first, second] = charges;
        assert_eq!(
            (first.held(), second.held(), budget.in_use()),
            (60, 40, 100)
        );
        drop(first);
        assert_eq!(budget.in_use(), 40);
        drop(second);
        assert_eq!(budget.in_use(), 0);
        let mut alone = budget.charge();
        assert_eq!(alone.grow(100), Ok(()));
        assert_eq!(alone.grow(1), Err(Exhausted::TooLarge));
    }
}
