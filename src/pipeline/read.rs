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

/// Profiles read at the same time. Each is merged as soon as its chunk is read, so memory
/// holds what a chunk keeps, not what every file of a fleet keeps.
const CHUNK: usize = 64;

/// Reads every profile `config` names. An unreadable profile among readable ones is a
/// warning; with none readable the run fails.
pub fn profiles(config: &ReportConfig, warnings: &mut Vec<Warning>) -> Result<Read, NoProfiles> {
    let mut problems = Vec::new();
    let files = profile_files(&config.profiles, &mut problems);
    let options = ReadOptions::new(config.max_decompressed_size);
    let bar = progress_bar(files.len(), config.progress);
    let mut merging = Merging::new(config);
    // goroutineleak profiles wait for the end: beside plain profiles they are evidence, not
    // snapshots, and only the whole run tells.
    let mut leak_profiles = Vec::new();
    for (start, chunk) in (0..).step_by(CHUNK).zip(files.chunks(CHUNK)) {
        let read = read_chunk(chunk, &options, &config.labels, &bar);
        for ((order, file), result) in (start..).zip(chunk).zip(read) {
            match result {
                Err(error) => problems.push(Warning::UnreadableProfile {
                    path: file.path.display().to_string(),
                    error: error.to_string(),
                }),
                Ok(one) if one.info.format == Format::GoroutineLeak => {
                    leak_profiles.push((order, file, one))
                }
                Ok(one) => merging.absorb(order, file, one, false),
            }
        }
    }
    bar.finish_and_clear();
    let evidence = !merging.entries.is_empty();
    for (order, file, one) in leak_profiles {
        merging.absorb(order, file, one, evidence);
    }
    if merging.entries.is_empty() {
        return Err(NoProfiles(problems));
    }
    // Problems with whole files come first.
    warnings.extend(problems);
    Ok(merging.finish(warnings))
}

/// Snapshots merged so far, and what is known of the profiles they came from.
struct Merging<'c> {
    config: &'c ReportConfig,
    merged: Merged,
    evidence: Merged,
    instances: Instances,
    /// (instance, time) of every timestamped snapshot.
    timed: Vec<(u32, i64)>,
    /// Profile entries with their place in the file order.
    entries: Vec<(usize, ProfileEntry)>,
    warnings: Vec<Warning>,
    /// (instance, time) of the text dumps whose time is their file's modification time.
    timed_by_file: Vec<(u32, i64)>,
}

impl<'c> Merging<'c> {
    fn new(config: &'c ReportConfig) -> Self {
        Merging {
            config,
            merged: Merged::default(),
            evidence: Merged::default(),
            instances: Instances::default(),
            timed: Vec::new(),
            entries: Vec::new(),
            warnings: Vec::new(),
            timed_by_file: Vec::new(),
        }
    }

    /// Closes one profile's snapshot and merges it: as evidence of GC proof, or as a
    /// snapshot of its instance at its time.
    fn absorb(
        &mut self,
        order: usize,
        file: &ProfileFile,
        mut one: ReadProfile,
        is_evidence: bool,
    ) {
        let shown = file.path.display().to_string();
        self.warnings
            .extend(one.info.warnings.iter().map(|message| Warning::Profile {
                path: shown.clone(),
                message: message.clone(),
            }));
        let (time, time_source) = match (one.info.time_nanos, file.named_time, one.modified) {
            (Some(time), _, _) => (Some(time), Some("profile")),
            (None, Some(time), _) => (Some(time), Some("file_name")),
            (None, None, Some(modified))
                if matches!(one.info.format, Format::Debug2 | Format::Debug1) =>
            {
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
        let instance = self.instances.index(name.clone());
        let auto = self.config.threshold == Threshold::Auto;
        let threshold = match self.config.threshold {
            Threshold::Fixed(threshold) => threshold,
            Threshold::Auto => aggregate::auto_threshold(&one.snapshot.channel_counts()),
        };
        if is_evidence {
            one.snapshot.finish(u64::MAX, None, instance);
            self.evidence.add(one.snapshot);
        } else {
            one.snapshot.finish(threshold, time, instance);
            self.merged.add(one.snapshot);
            let timed = match time_source {
                Some("file") => &mut self.timed_by_file,
                _ => &mut self.timed,
            };
            timed.extend(time.map(|time| (instance, time)));
        }
        let entry = ProfileEntry {
            path: shown,
            format: one.info.format,
            goroutines: one.info.goroutines,
            time: time.map(rfc3339),
            time_source,
            threshold: (auto && !is_evidence).then_some(threshold),
            evidence: is_evidence,
            instance: name,
        };
        self.entries.push((order, entry));
    }

    fn finish(mut self, warnings: &mut Vec<Warning>) -> Read {
        // A time matters once snapshots form a series.
        // A file's modification time is a checkout's or a copy's, not the snapshot's: next
        // to snapshots that carry their own time it would stretch the series by days and
        // make a rate of it, so those dumps stay out of the series (their counts still
        // count). Alone, it is the best there is, and a warning says so.
        let by_file = std::mem::take(&mut self.timed_by_file);
        let profiles = by_file.len();
        if profiles > 0 && !self.timed.is_empty() {
            self.warnings.push(Warning::TimeFromFile {
                profiles,
                left_out: true,
            });
        } else if profiles > 0 {
            self.timed = by_file;
            if self.timed.len() >= 2 {
                self.warnings.push(Warning::TimeFromFile {
                    profiles,
                    left_out: false,
                });
            }
        }
        warnings.extend(self.warnings);
        self.entries.sort_by_key(|(order, _)| *order);
        Read {
            merged: self.merged,
            evidence: self.evidence,
            timeline: Timeline::new(self.instances.names, &self.timed),
            entries: self.entries.into_iter().map(|(_, entry)| entry).collect(),
        }
    }
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

/// A progress bar on stderr when it is a terminal and there is more than one file.
fn progress_bar(files: usize, progress: bool) -> indicatif::ProgressBar {
    if !(progress && files > 1 && io::stderr().is_terminal()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "reading profiles {bar:40} {pos}/{len} {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Reads the files of a chunk in parallel (one per core), each into its own snapshot, keeping
/// their order.
fn read_chunk(
    files: &[ProfileFile],
    options: &ReadOptions,
    labels: &LabelKeys,
    bar: &indicatif::ProgressBar,
) -> Vec<Result<ReadProfile, profile::ProfileError>> {
    files
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
        .collect()
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
