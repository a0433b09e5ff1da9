//! `leakprof fix`: the fixes of the reported findings as one patch, written, applied to the
//! work tree, or verified by building the patched revision.

pub mod diff;
