//! What every target does with its input: read it as `report` would, with a small budget so
//! the budget's paths are explored too, and check what the reader promises.

use leakprof::aggregate::Snapshot;
use leakprof::profile::{self, MAX_GOROUTINES, ReadOptions};

pub fn read(bytes: &[u8]) {
    for options in [ReadOptions::new(1 << 20), ReadOptions::new(16 << 10)] {
        let mut snapshot = Snapshot::default();
        if let Ok(info) = profile::read(bytes, &options, &mut snapshot) {
            assert!(info.goroutines <= MAX_GOROUTINES);
        }
        assert_eq!(options.budget.in_use(), 0, "the budget is given back");
    }
}
