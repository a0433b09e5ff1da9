//! The debug=2 dump reader (blocks, headers, lazily parsed frames): the input follows a
//! goroutine header line.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut input = b"goroutine 1 [chan send]:\n".to_vec();
    input.extend_from_slice(data);
    common::read(&input);
});
