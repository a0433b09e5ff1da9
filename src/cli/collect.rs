//! The flags of `leakprof collect`.

use std::path::PathBuf;

use clap::Args;

use super::values::{parse_duration, parse_size};

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The pprof base URL of a target, e.g. http://10.0.0.7:6060/debug/pprof/ or
    /// https://api.internal:8443/debug/pprof/ (repeatable).
    #[arg(long = "url", value_name = "URL", required = true)]
    pub urls: Vec<String>,
    /// Time between two rounds, e.g. 30s, 5m, 1h.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Rounds to take (each fetches every target once).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub count: u32,
    /// Where profiles go: OUT/<target>/goroutine-<time>.pb.gz.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also fetch the goroutineleak profile (Go 1.26+, costlier: it runs a GC cycle) every
    /// Nth round; 0 never.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub leak_every: u32,
    /// Timeout of one request.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Attempts per request before giving up on a target for this round.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Refuse a response larger than this.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub max_size: u64,
    /// Refuse a profile that inflates to more than this (as `report` does: a profile is
    /// saved only once it reads).
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size)]
    pub max_decompressed_size: u64,
    /// Name of an environment variable holding the value of the Authorization header
    /// (e.g. `Bearer …`), for protected endpoints.
    #[arg(long, value_name = "VAR")]
    pub auth_env: Option<String>,
    /// For https:// targets: trust the CA certificates in this PEM file (e.g. a cluster's
    /// private CA) instead of the public roots built into leakprof. Without the flag, the
    /// environment variable LEAKPROF_CA_FILE names the file when it is set and not empty.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
}
