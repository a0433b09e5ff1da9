//! The pprof protobuf reader. The input follows a sample_type field whose bytes are not
//! text, so the sniffer always takes the protobuf path.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut input = vec![0x0a, 0x02, 0x08, 0x01];
    input.extend_from_slice(data);
    common::read(&input);
});
