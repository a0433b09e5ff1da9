//! The first stage: every profile file read in parallel, each into its own snapshot of
//! places, then merged. A `goroutineleak` profile read next to plain goroutine profiles is
//! evidence, not another snapshot: its goroutines are already in the plain profile of the
//! same moment.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::aggregate::{self, Merged, Snapshot};
use crate::cli::Threshold;
use crate::collect;
use crate::config::ReportConfig;
use crate::model::{ProfileEntry, Warning, rfc3339};
use crate::profile::{self, Format, ProfileInfo, ReadOptions};
use crate::series::Timeline;

/// Everything the profiles said.
pub struct Read {
    /// Places merged over every snapshot.
    pub merged: Merged,
    /// Places in goroutineleak profiles read as evidence.
    pub evidence: Merged,
    pub timeline: Timeline,
    pub entries: Vec<ProfileEntry>,
}

/// No profile could be read; each problem names its file.
#[derive(Debug)]
pub struct NoProfiles(pub Vec<Warning>);

/// Reads every profile `config` names. An unreadable profile among readable ones is a
/// warning; with none readable the run fails.
pub fn profiles(config: &ReportConfig, warnings: &mut Vec<Warning>) -> Result<Read, NoProfiles> {
    let mut problems = Vec::new();
    let files = profile_files(&config.profiles, &mut problems);
    let options = ReadOptions {
        max_decompressed_size: config.max_decompressed_size,
    };
    let read = read_all(&files, &options, config.progress);

    let plain_profiles = read
        .iter()
        .flatten()
        .any(|one| one.info.format != Format::GoroutineLeak);
    let mut merged = Merged::default();
    let mut evidence = Merged::default();
    let mut times = Vec::new();
    let mut entries = Vec::new();
    let mut read_warnings = Vec::new();
    for (path, result) in files.iter().zip(read) {
        let shown = path.display().to_string();
        let mut one = match result {
            Ok(one) => one,
            Err(error) => {
                problems.push(Warning::UnreadableProfile {
                    path: shown,
                    error: error.to_string(),
                });
                continue;
            }
        };
        read_warnings.extend(one.info.warnings.iter().map(|message| Warning::Profile {
            path: shown.clone(),
            message: message.clone(),
        }));
        let (time, time_source) = match (one.info.time_nanos, one.modified) {
            (Some(time), _) => (Some(time), Some("profile")),
            (None, Some(modified))
                if matches!(one.info.format, Format::Debug2 | Format::Debug1) =>
            {
                (Some(modified), Some("file"))
            }
            _ => (None, None),
        };
        let is_evidence = plain_profiles && one.info.format == Format::GoroutineLeak;
        let threshold = match config.threshold {
            Threshold::Fixed(threshold) => threshold,
            Threshold::Auto => aggregate::auto_threshold(&one.snapshot.channel_counts()),
        };
        if is_evidence {
            one.snapshot.finish(u64::MAX, None);
            evidence.add(one.snapshot);
        } else {
            one.snapshot.finish(threshold, time);
            merged.add(one.snapshot);
            times.extend(time);
        }
        entries.push(ProfileEntry {
            path: shown,
            format: one.info.format,
            goroutines: one.info.goroutines,
            time: time.map(rfc3339),
            time_source,
            threshold: (config.threshold == Threshold::Auto && !is_evidence).then_some(threshold),
            evidence: is_evidence,
        });
    }
    if entries.is_empty() {
        return Err(NoProfiles(problems));
    }
    // Problems with whole files come first.
    warnings.extend(problems);
    warnings.extend(read_warnings);
    Ok(Read {
        merged,
        evidence,
        timeline: Timeline::new(times),
        entries,
    })
}

/// One profile read, with what the file system says about it.
struct ReadProfile {
    snapshot: Snapshot,
    info: ProfileInfo,
    /// The file's modification time (Unix nanoseconds): when a text dump was saved.
    modified: Option<i64>,
}

/// Reads every file in parallel (one per core), each into its own snapshot, keeping their
/// order. A progress bar shows on stderr when it is a terminal.
fn read_all(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: bool,
) -> Vec<Result<ReadProfile, profile::ProfileError>> {
    let bar = if progress && files.len() > 1 && io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "reading profiles {bar:40} {pos}/{len} {elapsed} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let read = files
        .par_iter()
        .map(|path| {
            let mut snapshot = Snapshot::default();
            let result = profile::read_file(path, options, &mut snapshot);
            bar.inc(1);
            let modified = fs::metadata(path)
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|elapsed| i64::try_from(elapsed.as_nanos()).ok());
            result.map(|info| ReadProfile {
                snapshot,
                info,
                modified,
            })
        })
        .collect();
    bar.finish_and_clear();
    read
}

/// Expands folders into the files below them (sorted, so runs are reproducible). A path that
/// cannot be listed is recorded in `problems`.
fn profile_files(paths: &[PathBuf], problems: &mut Vec<Warning>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            match entry {
                // A `collect` killed mid-save leaves its temporary file: not a snapshot.
                Ok(entry) if collect::is_partial_file(entry.file_name()) => {
                    problems.push(Warning::PartialProfile {
                        path: entry.path().display().to_string(),
                    })
                }
                Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
                Ok(_) => {}
                Err(error) => problems.push(Warning::ProfileFolder {
                    path: shown(error.path(), path),
                    problem: error.to_string(),
                }),
            }
        }
        if files.len() == before {
            problems.push(Warning::ProfileFolder {
                path: path.display().to_string(),
                problem: "the folder has no files".into(),
            });
        }
    }
    files
}

fn shown(path: Option<&Path>, fallback: &Path) -> String {
    path.unwrap_or(fallback).display().to_string()
}
