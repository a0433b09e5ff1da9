//! Groups classified goroutines by the place they block (operation + function + file + line),
//! first within one profile (a snapshot), then across snapshots: `goroutines` is the count in
//! the worst snapshot, `total_goroutines` the sum, `profiles` how many snapshots have it.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash, Hasher};

use crate::blocking::{self, Blocking, Op};
use crate::profile::{Frame, Sample, SampleSink};

/// Frames kept for a finding's example stack.
const MAX_EXAMPLE_FRAMES: usize = 64;

/// Where goroutines block and on what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub file: String,
    pub line: u32,
    pub function: String,
    pub blocking: Blocking,
}

/// What is known about one site, in one snapshot or merged over several.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub goroutines: u64,
    pub total_goroutines: u64,
    pub profiles: u32,
    /// Goroutines the garbage collector proved leaked (worst snapshot).
    pub leaked: u64,
    pub max_wait_minutes: Option<u32>,
    /// One example stack, innermost first, one `function file:line` per line (one allocation
    /// per place: profiles can have tens of thousands of distinct places). Empty for blocking
    /// other than channels.
    pub stack: String,
    pub created_by: Option<String>,
}

/// The sites of one profile. Memory grows with the number of distinct sites, never with the
/// number of goroutines.
#[derive(Default)]
pub struct Snapshot {
    sites: Vec<(Site, Tally)>,
    index: HashMap<u64, Vec<usize>>,
    hasher: std::hash::RandomState,
}

impl SampleSink for Snapshot {
    fn sample(&mut self, sample: &Sample<'_>) {
        let classified = blocking::classify(sample);
        let location = classified.location.unwrap_or(Frame {
            function: "",
            file: "",
            line: 0,
        });
        let hash = {
            let mut hasher = self.hasher.build_hasher();
            classified.blocking.hash(&mut hasher);
            location.function.hash(&mut hasher);
            location.file.hash(&mut hasher);
            location.line.hash(&mut hasher);
            hasher.finish()
        };
        let bucket = self.index.entry(hash).or_default();
        let found = bucket.iter().copied().find(|&at| {
            let site = &self.sites[at].0;
            site.blocking == classified.blocking
                && site.line == location.line
                && site.function == location.function
                && site.file == location.file
        });
        let at = match found {
            Some(at) => at,
            None => {
                let site = Site {
                    file: location.file.to_owned(),
                    line: location.line,
                    function: location.function.to_owned(),
                    blocking: classified.blocking,
                };
                let tally = Tally {
                    stack: match classified.blocking {
                        Blocking::Channel(_) => example_stack(sample),
                        Blocking::Other(_) => String::new(),
                    },
                    created_by: sample
                        .created_by
                        .or_else(|| sample.frames.created_by())
                        .map(|frame| frame.function.to_owned()),
                    ..Tally::default()
                };
                bucket.push(self.sites.len());
                self.sites.push((site, tally));
                self.sites.len() - 1
            }
        };
        let tally = &mut self.sites[at].1;
        tally.goroutines += sample.count;
        if sample.leaked {
            tally.leaked += sample.count;
        }
        if sample.wait_minutes > tally.max_wait_minutes {
            tally.max_wait_minutes = sample.wait_minutes;
        }
    }
}

fn example_stack(sample: &Sample<'_>) -> String {
    let mut stack = String::with_capacity(1024);
    let mut frames = sample.frames.clone();
    for frame in frames.by_ref().take(MAX_EXAMPLE_FRAMES) {
        if !stack.is_empty() {
            stack.push('\n');
        }
        stack.push_str(frame.function);
        stack.push(' ');
        stack.push_str(frame.file);
        stack.push(':');
        push_number(&mut stack, frame.line);
    }
    let more = frames.count();
    if more > 0 {
        stack.push_str("\n... ");
        push_number(&mut stack, more as u32);
        stack.push_str(" more frames");
    }
    stack
}

fn push_number(text: &mut String, mut number: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    text.extend(digits[at..].iter().map(|&digit| char::from(digit)));
}

/// Sites merged over all snapshots read so far.
#[derive(Default)]
pub struct Merged {
    sites: BTreeMap<Site, Tally>,
}

impl Merged {
    pub fn add(&mut self, snapshot: Snapshot) {
        for (site, mut tally) in snapshot.sites {
            tally.total_goroutines = tally.goroutines;
            tally.profiles = 1;
            merge_tally(self.sites.entry(site).or_default(), tally);
        }
    }

    /// The merged sites, sorted by place.
    ///
    /// Formats differ in what they can tell about the same place: debug=1 cannot name the op
    /// (`unknown`) and pprof cannot tell a nil channel from another (`send` where debug=2 says
    /// `nil_send`). Where the profiles name one operation at a place, its sites fold into the
    /// most specific name; where they name several, they stay apart.
    pub fn into_sites(self) -> Vec<(Site, Tally)> {
        let mut out: Vec<(Site, Tally)> = Vec::with_capacity(self.sites.len());
        let mut group: Vec<(Site, Tally)> = Vec::new();
        for (site, tally) in self.sites {
            let same_place = group.first().is_some_and(|(first, _)| {
                first.file == site.file
                    && first.line == site.line
                    && first.function == site.function
            });
            if !same_place {
                fold_place(&mut group, &mut out);
            }
            group.push((site, tally));
        }
        fold_place(&mut group, &mut out);
        out
    }
}

/// Folds the sites of one place (see [`Merged::into_sites`]) and moves them to `out`.
fn fold_place(group: &mut Vec<(Site, Tally)>, out: &mut Vec<(Site, Tally)>) {
    let channel_ops: Vec<Op> = group
        .iter()
        .filter_map(|(site, _)| match site.blocking {
            Blocking::Channel(op) => Some(op),
            Blocking::Other(_) => None,
        })
        .collect();
    let family = |op: Op| match op {
        Op::NilSend => Op::Send,
        Op::NilReceive => Op::Receive,
        op => op,
    };
    let mut families: Vec<Op> = channel_ops
        .iter()
        .copied()
        .filter(|&op| op != Op::Unknown)
        .map(family)
        .collect();
    families.sort();
    families.dedup();
    if channel_ops.len() < 2 || families.len() != 1 {
        out.append(group);
        return;
    }
    // One operation: its most specific name (nil variants sort after the plain ones).
    let Some(target) = channel_ops
        .iter()
        .copied()
        .filter(|&op| op != Op::Unknown)
        .max()
    else {
        out.append(group);
        return;
    };
    let mut folded: Option<(Site, Tally)> = None;
    for (mut site, tally) in group.drain(..) {
        if !matches!(site.blocking, Blocking::Channel(_)) {
            out.push((site, tally));
            continue;
        }
        match folded.as_mut() {
            None => {
                site.blocking = Blocking::Channel(target);
                folded = Some((site, tally));
            }
            Some((_, merged)) => merge_tally(merged, tally),
        }
    }
    out.extend(folded);
}

/// Adds `tally` (from snapshots not yet counted in `merged`) to `merged`.
fn merge_tally(merged: &mut Tally, tally: Tally) {
    if tally.goroutines > merged.goroutines || merged.stack.is_empty() {
        merged.stack = tally.stack;
        merged.created_by = tally.created_by;
    }
    merged.goroutines = merged.goroutines.max(tally.goroutines);
    merged.total_goroutines += tally.total_goroutines;
    merged.profiles += tally.profiles;
    merged.leaked = merged.leaked.max(tally.leaked);
    merged.max_wait_minutes = merged.max_wait_minutes.max(tally.max_wait_minutes);
}
