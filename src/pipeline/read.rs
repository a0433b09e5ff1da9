//! The first stage: every profile file read in parallel, each into its own snapshot of
//! places, then merged. A `goroutineleak` profile read next to plain goroutine profiles is
//! evidence, not another snapshot: its goroutines are already in the plain profile of the
//! same moment.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::aggregate::{self, LabelKeys, Merged, Snapshot};
use crate::cli::Threshold;
use crate::collect;
use crate::config::{ProfileSource, ReportConfig};
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
    let options = ReadOptions::new(config.max_decompressed_size);
    let read = read_all(&files, &options, &config.labels, config.progress);

    let plain_profiles = read
        .iter()
        .flatten()
        .any(|one| one.info.format != Format::GoroutineLeak);
    let mut merged = Merged::default();
    let mut evidence = Merged::default();
    let mut instances = Instances::default();
    let mut timed = Vec::new();
    let mut entries = Vec::new();
    let mut read_warnings = Vec::new();
    let mut timed_by_file = 0;
    for (file, result) in files.iter().zip(read) {
        let shown = file.path.display().to_string();
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
        let (time, time_source) = match (one.info.time_nanos, file.named_time, one.modified) {
            (Some(time), _, _) => (Some(time), Some("profile")),
            (None, Some(time), _) => (Some(time), Some("file_name")),
            (None, None, Some(modified))
                if matches!(one.info.format, Format::Debug2 | Format::Debug1) =>
            {
                timed_by_file += 1;
                (Some(modified), Some("file"))
            }
            _ => (None, None),
        };
        // An explicit name first, then the instance label, then collect's folder.
        let name = file
            .named_instance
            .clone()
            .or_else(|| one.snapshot.labelled_instance().map(str::to_string))
            .or_else(|| file.folder_instance.clone());
        let instance = instances.index(name.clone());
        let is_evidence = plain_profiles && one.info.format == Format::GoroutineLeak;
        let threshold = match config.threshold {
            Threshold::Fixed(threshold) => threshold,
            Threshold::Auto => aggregate::auto_threshold(&one.snapshot.channel_counts()),
        };
        if is_evidence {
            one.snapshot.finish(u64::MAX, None, instance);
            evidence.add(one.snapshot);
        } else {
            one.snapshot.finish(threshold, time, instance);
            merged.add(one.snapshot);
            timed.extend(time.map(|time| (instance, time)));
        }
        entries.push(ProfileEntry {
            path: shown,
            format: one.info.format,
            goroutines: one.info.goroutines,
            time: time.map(rfc3339),
            time_source,
            threshold: (config.threshold == Threshold::Auto && !is_evidence).then_some(threshold),
            evidence: is_evidence,
            instance: name,
        });
    }
    if entries.is_empty() {
        return Err(NoProfiles(problems));
    }
    // A time matters once snapshots form a series.
    if timed_by_file > 0 && timed.len() >= 2 {
        read_warnings.push(Warning::TimeFromFile {
            profiles: timed_by_file,
        });
    }
    // Problems with whole files come first.
    warnings.extend(problems);
    warnings.extend(read_warnings);
    Ok(Read {
        merged,
        evidence,
        timeline: Timeline::new(instances.names, &timed),
        entries,
    })
}

/// The instances of a run, numbered in the order they are first seen (files are read in a
/// sorted order, so the numbering is reproducible).
#[derive(Default)]
struct Instances {
    names: Vec<Option<String>>,
}

impl Instances {
    fn index(&mut self, name: Option<String>) -> u32 {
        let at = match self.names.iter().position(|known| *known == name) {
            Some(at) => at,
            None => {
                self.names.push(name);
                self.names.len() - 1
            }
        };
        u32::try_from(at).unwrap_or(u32::MAX)
    }
}

/// A profile file, with what its name and place say about it.
struct ProfileFile {
    path: PathBuf,
    /// `--profile NAME=PATH`.
    named_instance: Option<String>,
    /// The folder of a file `leakprof collect` named: its target.
    folder_instance: Option<String>,
    /// The time in a name `leakprof collect` gave.
    named_time: Option<i64>,
}

impl ProfileFile {
    fn new(path: PathBuf, source: &ProfileSource) -> ProfileFile {
        let named_time = path.file_name().and_then(collect::time_from_file_name);
        let folder_instance = named_time
            .and(path.parent())
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .map(str::to_string);
        ProfileFile {
            path,
            named_instance: source.instance.clone(),
            folder_instance,
            named_time,
        }
    }
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
    files: &[ProfileFile],
    options: &ReadOptions,
    labels: &LabelKeys,
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
        .map(|file| {
            let path = &file.path;
            let mut snapshot = Snapshot::with_labels(labels.clone());
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
fn profile_files(sources: &[ProfileSource], problems: &mut Vec<Warning>) -> Vec<ProfileFile> {
    let mut files = Vec::new();
    for source in sources {
        let path = &source.path;
        if !path.is_dir() {
            files.push(ProfileFile::new(path.clone(), source));
            continue;
        }
        let before = files.len();
        // Links are followed (walkdir stops at loops and reports them) so that a folder of
        // links to profiles reads like the files themselves.
        for entry in walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                // A `collect` killed mid-save leaves its temporary file: not a snapshot.
                Ok(entry) if collect::is_partial_file(entry.file_name()) => {
                    problems.push(Warning::PartialProfile {
                        path: entry.path().display().to_string(),
                    })
                }
                Ok(entry) if entry.file_type().is_file() => {
                    files.push(ProfileFile::new(entry.into_path(), source))
                }
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
