//! The debug=1 text reader: the input follows a debug=1 header line.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut input = b"goroutine profile: total 1\n".to_vec();
    input.extend_from_slice(data);
    common::read(&input);
});
