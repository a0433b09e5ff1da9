//! Goroutine label text as debug=1 and debug=2 print it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for (key, value) in leakprof::profile::parse_labels(&text) {
        assert!(text.contains(key) && text.contains(value));
    }
});
