//! End-to-end tests of the `leakprof` command line, run in-process on real profiles captured
//! from the Go programs under `testdata/` (see `testdata/capture.sh`).

mod limited;
mod support;

mod bad_input;
mod bounds;
mod builtin;
mod collect;
mod e2e;
mod explain;
mod fixtures;
mod formats;
mod hostile;
mod html;
mod identity;
mod install;
mod lint;
mod patterns;
mod properties;
mod rules;
mod sarif;
mod series;
mod snapshots;
mod source;
mod usage;
mod waits;
