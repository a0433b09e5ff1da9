//! Gzipped profiles of any format: the input follows the gzip magic, so it goes through the
//! inflater, its size cap and the budget.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut input = vec![0x1f, 0x8b];
    input.extend_from_slice(data);
    common::read(&input);
});
