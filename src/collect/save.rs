//! Writing a fetched profile into its target's folder so that no reader ever sees half of it
//! and nothing planted in the folder is written through.
//!
//! The bytes go to a temporary file created exclusively (`O_CREAT|O_EXCL`: it fails on any
//! existing name, a symlink included, and never follows one) under a random name, are synced
//! to disk, and the file is then hard-linked to its final name (which, unlike a rename, fails
//! when the name is taken, so an earlier profile is never replaced) and the temporary name
//! removed. A run killed in between leaves a temporary file behind; its name starts with `.`
//! and ends with `.partial`, and [`is_partial_file`] tells `report` to skip it.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// How temporary names end; see [`is_partial_file`].
const PARTIAL_SUFFIX: &str = ".partial";
/// Attempts at a free random temporary name before giving up.
const TEMP_ATTEMPTS: u32 = 16;
/// Numbered variants tried when a profile's name is taken.
const MAX_VARIANTS: u32 = 1000;

/// Whether `name` is a temporary file `collect` writes a profile to before giving it its name
/// (`.goroutine-20260101T000000Z.3f9a….partial`): a run killed mid-save leaves one, and it is
/// not a snapshot. Names from earlier versions (`.<stem>.<pid>.partial`) match too.
pub fn is_partial_file(name: &OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX))
}

use crate::date::Date;

/// When a profile `collect` saved was taken, from its name
/// (`goroutine-20260101T000000Z.pb.gz`, `goroutineleak-…`, `…-2.pb.gz` when a name was
/// taken), in Unix nanoseconds; None for any other name.
pub fn time_from_file_name(name: &OsStr) -> Option<i64> {
    let name = name.to_str()?.strip_suffix(".pb.gz")?;
    let stamp = name
        .strip_prefix("goroutineleak-")
        .or_else(|| name.strip_prefix("goroutine-"))?;
    let stamp = match stamp.split_once('-') {
        Some((stamp, copy)) if copy.bytes().all(|b| b.is_ascii_digit()) => stamp,
        Some(_) => return None,
        None => stamp,
    };
    let bytes = stamp.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = stamp.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let date = Date::parse(&format!(
        "{}-{}-{}",
        &stamp[..4],
        &stamp[4..6],
        &stamp[6..8]
    ))?;
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = date.unix_days() * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second);
    Some(seconds * 1_000_000_000)
}

/// Writes `dir/<stem>.pb.gz` (creating `dir`), or `<stem>-2.pb.gz`, `-3`, … when the name is
/// taken; returns the path written.
pub fn save(dir: &Path, stem: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let (mut file, temp) = create_temp(dir, stem)?;
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| place(&temp, dir, stem));
    drop(file);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    } else if let Ok(folder) = File::open(dir) {
        // The new name is durable once the folder is synced; a failure here loses nothing
        // that is not already on disk, so it is not an error.
        let _ = folder.sync_all();
    }
    result
}

/// Creates a new temporary file in `dir` under a random name that is free.
fn create_temp(dir: &Path, stem: &str) -> io::Result<(File, PathBuf)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let path = dir.join(format!(".{stem}.{:016x}{PARTIAL_SUFFIX}", random()));
        match create_new(&path) {
            Ok(file) => return Ok((file, path)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| io::ErrorKind::AlreadyExists.into()))
}

/// Opens a file that must not exist yet. `create_new` is `O_CREAT|O_EXCL`, which fails on any
/// existing entry, a symlink (dangling or not) included, without following it.
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// An unpredictable 64-bit number: std's `RandomState` is seeded from the operating system's
/// random source; the counter, the time and the process id make each call differ.
fn random() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    hasher.write_u128(nanos);
    hasher.finish()
}

/// Gives the written temporary file its final name. A hard link fails when the name is taken
/// (by a file or a symlink), where a rename would replace it.
fn place(temp: &Path, dir: &Path, stem: &str) -> io::Result<PathBuf> {
    for n in 1..=MAX_VARIANTS {
        let name = match n {
            1 => format!("{stem}.pb.gz"),
            _ => format!("{stem}-{n}.pb.gz"),
        };
        let path = dir.join(name);
        match fs::hard_link(temp, &path) {
            Ok(()) => {
                fs::remove_file(temp)?;
                return Ok(path);
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            // A file system without hard links: check (without following a link), then
            // rename. The check and the rename are not one step, but the folder is leakprof's.
            Err(_) if fs::symlink_metadata(&path).is_err() => {
                fs::rename(temp, &path)?;
                return Ok(path);
            }
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{stem}.pb.gz and {} numbered variants exist",
            MAX_VARIANTS - 1
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_from_names() {
        for (name, expected) in [
            ("goroutine-19700101T000000Z.pb.gz", Some(0)),
            ("goroutine-20240229T123456Z.pb.gz", Some(1_709_210_096)),
            (
                "goroutineleak-20240229T123456Z-2.pb.gz",
                Some(1_709_210_096),
            ),
            ("goroutine-20240229T123456Z.debug2.txt", None),
            ("goroutine-01.pb.gz", None),
            ("goroutine-20241329T123456Z.pb.gz", None),
            ("goroutine-20240229T123456Z-x.pb.gz", None),
            ("heap-20240229T123456Z.pb.gz", None),
        ] {
            let got = time_from_file_name(OsStr::new(name));
            assert_eq!(got, expected.map(|s: i64| s * 1_000_000_000), "{name}");
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn saving_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("10.0.0.7_6060");
        let saved: Vec<String> = [b"one", b"two", b"six"]
            .iter()
            .map(|bytes| save(&target, "goroutine-20260101T000000Z", *bytes).unwrap())
            .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            saved,
            [
                "goroutine-20260101T000000Z.pb.gz",
                "goroutine-20260101T000000Z-2.pb.gz",
                "goroutine-20260101T000000Z-3.pb.gz"
            ]
        );
        let mut expected = saved.clone();
        expected.sort();
        assert_eq!(names(&target), expected, "no temporary file is left");
        assert_eq!(fs::read(target.join(&saved[0])).unwrap(), b"one");
        assert_eq!(fs::read(target.join(&saved[2])).unwrap(), b"six");
    }

    /// A symlink planted where a temporary file or the profile would go is never written
    /// through: its target keeps its content, and the profile gets a name of its own.
    #[cfg(unix)]
    #[test]
    fn planted_symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let folder = dir.path().join("target");
        fs::create_dir(&folder).unwrap();
        let planted = folder.join(".goroutine-20260101T000000Z.0000000000000000.partial");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let dangling = folder.join(".dangling.partial");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        for link in [&planted, &dangling] {
            let error = create_new(link).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::AlreadyExists, "{link:?}");
        }
        assert!(!dir.path().join("nowhere").exists());

        std::os::unix::fs::symlink(&victim, folder.join("goroutine-20260101T000000Z.pb.gz"))
            .unwrap();
        let path = save(&folder, "goroutine-20260101T000000Z", b"profile").unwrap();
        assert_eq!(
            path.file_name().unwrap(),
            "goroutine-20260101T000000Z-2.pb.gz"
        );
        assert_eq!(fs::read(&path).unwrap(), b"profile");
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn temporary_names_are_fresh_and_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, first) = create_temp(dir.path(), "goroutine-20260101T000000Z").unwrap();
        let (_second, second) = create_temp(dir.path(), "goroutine-20260101T000000Z").unwrap();
        assert_ne!(first, second);
        for path in [&first, &second] {
            assert!(is_partial_file(path.file_name().unwrap()), "{path:?}");
        }
        for (name, partial) in [
            ("goroutine-20260101T000000Z.pb.gz", false),
            ("goroutine-20260101T000000Z-2.pb.gz", false),
            (".goroutine-20260101T000000Z.1234.partial", true),
            (".goroutine-20260101T000000Z.0123456789abcdef.partial", true),
            ("goroutine.partial", false),
            (".hidden.pb.gz", false),
            ("", false),
        ] {
            assert_eq!(is_partial_file(OsStr::new(name)), partial, "{name:?}");
        }
    }
}
