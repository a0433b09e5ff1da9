//! The exit codes every command shares.

/// Nothing was reported.
pub const EXIT_CLEAN: u8 = 0;
/// At least one suspected leak was reported.
pub const EXIT_FOUND: u8 = 1;
/// Usage error, or nothing could be read.
pub const EXIT_ERROR: u8 = 2;
