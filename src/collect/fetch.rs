//! One round's requests: every target's profiles fetched in parallel on a rayon pool, each
//! request retried with growing waits while its failure is transient, each body checked to be
//! a profile `report` can read, and saved.
//!
//! The check is the point of collecting: a body cut short by a wrong Content-Length, or gzip
//! magic followed by garbage, would otherwise be counted as collected and fail only hours
//! later, in `report`. It reads the body with the same code and the same decompression cap
//! as `report` does.

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::ThreadPool;
use rayon::prelude::*;

use super::http::{Client, FetchError};
use super::save::save;
use super::target::Target;
use super::{CollectError, Failure, GOROUTINE, GOROUTINE_LEAK};
use crate::profile::{self, ReadOptions, Sample, SampleSink};

/// How often and how patiently to try a request.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
}

/// The first pause between attempts: 1 s, less when the timeout or the interval is short, so
/// that retries stay small beside them.
pub fn base_delay(timeout: Duration, interval: Duration) -> Duration {
    [Duration::from_secs(1), timeout / 10, interval / 10]
        .into_iter()
        .min()
        .unwrap_or_default()
        .max(Duration::from_millis(10))
}

/// The pause after failed attempt `attempt` (1-based): base, 2×, 4×, then 8× base.
fn backoff(base: Duration, attempt: u32) -> Duration {
    base * (1 << attempt.clamp(1, 4).saturating_sub(1))
}

/// What is the same for every target in a round.
pub struct Round<'a> {
    pub client: &'a Client,
    pub retry: Retry,
    /// Limits for reading a fetched profile, as `report` will read it.
    pub read: ReadOptions,
    /// Runs the targets' requests side by side; `None` (no thread could be started) runs them
    /// one after the other.
    pub pool: Option<&'a ThreadPool>,
    pub out: &'a Path,
    /// The round's time, `YYYYMMDDTHHMMSSZ`, in every file name it writes.
    pub stamp: String,
}

/// One target's part in a round.
pub struct Plan<'a> {
    pub target: &'a Target,
    /// Also ask for the goroutineleak profile.
    pub leak: bool,
}

/// The outcome of one profile request.
pub enum Fetch {
    Saved {
        profile: &'static str,
        bytes: usize,
        elapsed: Duration,
        attempts: u32,
    },
    Failed(Failure),
    /// The goroutineleak profile answered 404.
    NoLeakProfile {
        url: String,
    },
    WriteFailed(CollectError),
}

/// Fetches every target's profiles; the outcomes come back in the order of `plans`, so the
/// output does not depend on who answered first. Each target is a task of its own
/// (`with_max_len(1)`): requests wait on the network, and a slow target must not hold up
/// others queued behind it on the same thread.
pub fn fetch_round(round: &Round, plans: &[Plan]) -> Vec<Vec<Fetch>> {
    let each = |plan: &Plan| fetch_target(round, plan);
    match round.pool {
        Some(pool) => pool.install(|| plans.par_iter().with_max_len(1).map(each).collect()),
        None => plans.iter().map(each).collect(),
    }
}

/// A target's goroutine profile, then its goroutineleak profile when the plan says so and the
/// first one came.
fn fetch_target(round: &Round, plan: &Plan) -> Vec<Fetch> {
    let first = fetch_and_save(round, plan.target, GOROUTINE);
    let answered = matches!(first, Fetch::Saved { .. });
    let mut fetches = vec![first];
    if answered && plan.leak {
        fetches.push(fetch_and_save(round, plan.target, GOROUTINE_LEAK));
    }
    fetches
}

fn fetch_and_save(round: &Round, target: &Target, profile: &'static str) -> Fetch {
    let started = Instant::now();
    let (result, attempts) = fetch(round, target, profile);
    let elapsed = started.elapsed();
    let body = match result {
        Ok(body) => body,
        Err(FetchError::Status { code: 404, .. }) if profile == GOROUTINE_LEAK => {
            return Fetch::NoLeakProfile {
                url: target.url(profile),
            };
        }
        Err(error) => {
            return Fetch::Failed(Failure {
                profile,
                url: target.url(profile),
                error,
                attempts,
            });
        }
    };
    let dir = round.out.join(target.folder());
    match save(&dir, &format!("{profile}-{}", round.stamp), &body) {
        Ok(_) => Fetch::Saved {
            profile,
            bytes: body.len(),
            elapsed,
            attempts,
        },
        Err(source) => Fetch::WriteFailed(CollectError::Write { path: dir, source }),
    }
}

/// Fetches one profile, retrying transient failures; returns the body (checked to be a gzipped
/// profile that reads) and the attempts it took.
fn fetch(round: &Round, target: &Target, profile: &str) -> (Result<Vec<u8>, FetchError>, u32) {
    let mut attempt = 1;
    loop {
        let result = round.client.get(target, profile).and_then(|body| {
            check_gzip(&body)?;
            check_profile(&body, &round.read)?;
            Ok(body)
        });
        match result {
            Err(error) if attempt < round.retry.attempts && error.is_transient() => {
                std::thread::sleep(backoff(round.retry.base, attempt));
                attempt += 1;
            }
            result => return (result, attempt),
        }
    }
}

/// A debug=0 profile is gzipped protobuf; anything else (an HTML login page, a text dump)
/// means the URL is wrong.
fn check_gzip(body: &[u8]) -> Result<(), FetchError> {
    if body.starts_with(&[0x1f, 0x8b]) {
        return Ok(());
    }
    if body.is_empty() {
        return Err(FetchError::NotGzip("nothing: the body is empty".into()));
    }
    let start: String = String::from_utf8_lossy(&body[..body.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Err(FetchError::NotGzip(format!("{start:?}")))
}

/// Reads the profile as `report` will, keeping nothing: only whether it reads matters.
fn check_profile(body: &[u8], options: &ReadOptions) -> Result<(), FetchError> {
    struct Discard;
    impl SampleSink for Discard {
        fn sample(&mut self, _: &Sample<'_>) {}
    }
    profile::read(body, options, &mut Discard)
        .map(|_| ())
        .map_err(|error| FetchError::NotProfile(error.to_string()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_bodies() {
        for (body, expected) in [
            (&[0x1f, 0x8b, 0x08, 0x00][..], None),
            (b"<html><body>Sign in", Some("\"<html><body>Sign in\"")),
            (
                b"goroutine profile: total 5\n1 @ 0x1",
                Some("\"goroutine profile: total 5 1 @ 0x1\""),
            ),
            (b"", Some("the body is empty")),
        ] {
            let got = check_gzip(body).err().map(|error| error.to_string());
            match (got, expected) {
                (None, None) => {}
                (Some(message), Some(part)) => assert!(message.contains(part), "{message:?}"),
                (got, expected) => panic!("{body:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    /// A body is kept only when it reads as a profile, within the decompression cap.
    #[test]
    fn profile_bodies() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/series/captures");
        let real = std::fs::read(root.join("leak-moment/goroutine.pb.gz")).unwrap();
        let leak = std::fs::read(root.join("leak-moment/goroutineleak.pb.gz")).unwrap();
        let inflated = flate2::read::GzDecoder::new(&real[..]);
        let size = std::io::Read::bytes(inflated).count() as u64;
        let mut garbage = vec![0x1f, 0x8b];
        garbage.extend_from_slice(b"\x08\x00this is not deflate at all");
        let options = ReadOptions::new;
        let table: Vec<(&str, Vec<u8>, u64, Option<&str>)> = vec![
            ("real", real.clone(), 1 << 30, None),
            ("goroutineleak", leak, 1 << 30, None),
            (
                "cut short",
                real[..real.len() / 2].to_vec(),
                1 << 30,
                Some("truncated or corrupt gzip stream"),
            ),
            (
                "gzip magic, then garbage",
                garbage,
                1 << 30,
                Some("truncated or corrupt gzip stream"),
            ),
            (
                "gzipped text that is no dump",
                gzip(b"hello"),
                1 << 30,
                Some("no goroutine stacks found"),
            ),
            (
                "a heap profile",
                gzip(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n"),
                1 << 30,
                Some("a heap profile, not a goroutine profile"),
            ),
            (
                "over the cap",
                real,
                size - 1,
                Some("raise --max-decompressed-size"),
            ),
        ];
        for (name, body, max, expected) in table {
            let got = check_profile(&body, &options(max))
                .err()
                .map(|error| error.to_string());
            match (got, expected) {
                (None, None) => {}
                (Some(message), Some(part)) => {
                    assert!(message.contains(part), "{name}: {message:?} lacks {part:?}");
                    assert!(message.ends_with("; nothing was saved"), "{message}");
                }
                (got, expected) => panic!("{name}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn delays() {
        let (ms, s) = (Duration::from_millis, Duration::from_secs);
        for (timeout, interval, base) in [
            (s(30), s(300), s(1)),
            (s(1), s(300), ms(100)),
            (s(30), s(1), ms(100)),
            (s(0), s(0), ms(10)),
        ] {
            assert_eq!(
                base_delay(timeout, interval),
                base,
                "{timeout:?} {interval:?}"
            );
        }
        for (attempt, delay) in [(1, s(1)), (2, s(2)), (3, s(4)), (4, s(8)), (9, s(8))] {
            assert_eq!(backoff(s(1), attempt), delay, "attempt {attempt}");
        }
    }
}
