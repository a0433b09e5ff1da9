//! The report pipeline, one stage after another: read profiles (classified and aggregated by
//! place as they stream) → merge snapshots → check the source → owners → allowlists → decide
//! each place's status → ids → baseline → summary. Each stage takes typed input and returns
//! typed output; a place's status is decided in one function ([`status::decide`]) from the
//! evidence the stages gathered.

pub mod lint;
mod patterns;
mod read;
mod rules;
pub mod status;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::aggregate::{self, Merged, Site, Tally};
use crate::allowlist::{self, Applied, Rule, RuleSource, Subject};
use crate::blocking::{Blocking, Op, is_std_function};
use crate::cli::Threshold;
use crate::config::ReportConfig;
use crate::date::Date;
use crate::model::id::{self, IdParts};
use crate::model::view::ViewError;
use crate::model::{
    Exclusion, Finding, FoundBy, Hint, LabelGroups, LabelValue, OtherBlocking, ProfileEntry,
    Report, RuleUsage, SCHEMA_VERSION, SourceInfo, Status, Summary, Tool, Trend, Warning,
};
use crate::owners::{self, CodeOwners};
use crate::profile::Format;
use crate::series::{Movement, Timeline};
use crate::source::ignores::Marker;
use crate::source::paths::PathMapper;
use crate::source::repo::{RepoError, Source};
use crate::source::{self, Location, PlaceRef, SourceCheck};
use status::{Decision, Evidence, OverBound, Policy, PoolEvidence, RuleEvidence};

/// Errors that stop a whole run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no profile could be read:{}", .0.iter().map(|p| format!("\n  {p}")).collect::<String>())]
    NoProfiles(Vec<Warning>),
    #[error("{0}")]
    Repo(#[from] RepoError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<allowlist::RulesError>),
    #[error("{0}")]
    RulesFile(allowlist::ReadError),
    #[error("bad --baseline: {0}")]
    Baseline(ViewError),
    #[error("{0}")]
    Lint(#[from] crate::lint::LintError),
}

/// Reads every profile `config` names and builds the report.
pub fn build_report(config: &ReportConfig) -> Result<Report, RunError> {
    // A bad --repo or --rev, rules file or baseline fails the run before any profile is read.
    let source = open_source(config)?;
    let rules = rules::load(&config.rules, source.as_ref())?;
    let mut warnings = Vec::new();
    let baseline = match &config.baseline {
        Some(path) => Some(rules::read_baseline(path, &mut warnings)?),
        None => None,
    };

    let read =
        read::profiles(config, &mut warnings).map_err(|none| RunError::NoProfiles(none.0))?;
    let (places, other) = split_places(read.merged, read.evidence, &read.timeline);
    let (checks, markers) = check_source(&places, source.as_ref(), &mut warnings)?;
    let (places, checks) = merge_same_code(places, checks, &read.timeline);
    warnings.extend(unused_ignores(&places, &checks, markers));
    let owners = assign_owners(&places, &checks, source.as_ref(), &mut warnings);
    let exclusions = exclusions(&places, &checks, config);
    let applied = apply_rules(&rules, &places, &checks, &exclusions, config);
    warnings.extend(applied.warnings.iter().cloned());
    let told = patterns::tell(&places, &checks);
    let known = gather(places, checks, exclusions, owners, told, &applied);
    let auto_bar = automatic_bar(&read.entries, config);
    let decided = decide_all(&known, &rules, auto_bar, config);
    warnings.extend(
        decided
            .iter()
            .flat_map(|decision| decision.warnings.clone()),
    );
    let root = source.as_ref().and_then(|source| source.provenance());
    let prefix = root.as_ref().map(|found| found.path_in_repository.as_str());
    // `--lint`: the lint's findings of the files the places are in, through the same stages.
    let linted = match (config.lint, source.as_ref()) {
        (true, Some(source)) => Some(lint::for_report(
            &known,
            source,
            &rules,
            config.rules.today,
            prefix,
            &mut warnings,
        )?),
        _ => None,
    };
    let usage = match &linted {
        Some((staged, _)) => {
            let mut both = Applied {
                hits: applied.hits.clone(),
                over_bound: Vec::new(),
                matched: applied.matched.clone(),
                warnings: Vec::new(),
            };
            both.hits.extend(staged.applied.hits.iter().copied());
            for (count, more) in both.matched.iter_mut().zip(&staged.applied.matched) {
                *count += more;
            }
            let decisions: Vec<Decision> = decided.iter().chain(&staged.decided).cloned().collect();
            rule_usage(&rules, &both, &decisions, config.rules.today, &mut warnings)
        }
        None => rule_usage(
            &rules,
            &applied,
            &decided,
            config.rules.today,
            &mut warnings,
        ),
    };
    let ids = ids(&known, prefix);
    let mut findings = assemble(known, decided, ids, config.labels.group.as_deref());
    let lint_info = linted.map(|(staged, info)| {
        let mut lint_findings = staged.findings;
        lint::cross_link(&mut findings, &mut lint_findings);
        findings.extend(lint_findings);
        info
    });
    let findings = against_baseline(findings, baseline.as_ref());
    let mut summary = summarize(&read.entries, &findings, &other);
    let (findings, other) = for_owner(findings, other, config.owner.as_deref(), &mut warnings);
    summary.count_reported(&findings);
    let hints = hints(&read.entries, &findings);

    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        id_version: id::ID_VERSION,
        threshold: match config.threshold {
            Threshold::Fixed(n) => Some(n),
            Threshold::Auto => None,
        },
        source: source
            .as_ref()
            .zip(config.source.as_ref())
            .map(|(source, asked)| {
                let provenance = source.provenance();
                SourceInfo {
                    repo: asked.repo.display().to_string(),
                    revision: source
                        .commit()
                        .map(|_| asked.rev.clone().unwrap_or_else(|| "HEAD".into())),
                    commit: source.commit(),
                    path_in_repository: provenance
                        .as_ref()
                        .map(|found| found.path_in_repository.clone()),
                    remote: provenance.and_then(|found| found.remote),
                }
            }),
        summary,
        profiles: read.entries,
        findings,
        other_blocking: config.show_other_blocking.then_some(other),
        rules: usage,
        warnings,
        hints,
        lint: lint_info,
    })
}

fn open_source(config: &ReportConfig) -> Result<Option<Source>, RunError> {
    match &config.source {
        Some(asked) => Ok(Some(Source::open(&asked.repo, asked.rev.as_deref())?)),
        None => Ok(None),
    }
}

/// What the source says about a place, when it was looked at: boxed, as a report can have
/// tens of thousands of places and most runs look at the source of none or a few.
type Check = Option<Box<SourceCheck>>;

/// A place where goroutines wait on a channel, merged over every snapshot.
struct Place {
    site: Site,
    op: Op,
    tally: Tally,
    /// Goroutines the GC proved leaked here, from the snapshots or an evidence profile.
    leaked: u64,
    /// How the count moved on each instance and over the fleet.
    movement: Movement,
}

/// Channel places and the sync waits the GC proved leaked, with the GC's proof from evidence
/// profiles and how they moved; and the other blocking.
fn split_places(
    merged: Merged,
    evidence: Merged,
    timeline: &Timeline,
) -> (Vec<Place>, Vec<OtherBlocking>) {
    let evidence = evidence.into_sites();
    let proven: HashMap<(&str, u32, &str), u64> = evidence
        .iter()
        .map(|(site, tally)| {
            let key = (site.file.as_str(), site.line, site.function.as_str());
            (key, tally.leaked)
        })
        .collect();
    let sites = merged.into_sites();
    let mut places = Vec::with_capacity(sites.len());
    let mut other = Vec::new();
    for (site, tally) in sites {
        let key = (site.file.as_str(), site.line, site.function.as_str());
        let leaked = tally.leaked.max(proven.get(&key).copied().unwrap_or(0));
        // A wait on a sync primitive is a finding only on the GC's proof: unproven, a mutex
        // held long is contention, not a leak.
        let op = match site.blocking {
            Blocking::Channel(op) => Some(op),
            Blocking::Other(kind) if leaked > 0 => Op::of_sync_wait(kind),
            Blocking::Other(_) => None,
        };
        match (op, site.blocking) {
            (Some(op), _) => places.push(Place {
                movement: timeline.movement(&tally.series),
                site,
                op,
                tally,
                leaked,
            }),
            (None, Blocking::Other(kind)) => other.push(OtherBlocking {
                kind: kind.as_str(),
                function: site.function,
                file: site.file,
                line: site.line,
                goroutines: tally.goroutines,
                total_goroutines: tally.total_goroutines,
                profiles: tally.profiles,
            }),
            (None, Blocking::Channel(_)) => {}
        }
    }
    other.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.kind.cmp(b.kind))
    });
    (places, other)
}

/// One place per piece of code: the same function, line and op reached through different
/// paths (a build with `-trimpath` and one without, two build folders) is one place once
/// mapped into the repository; without `--repo`, the file's name stands in for its path.
/// Tallies merge, so no goroutine is counted twice and no id gets a `-2` twin.
fn merge_same_code(
    places: Vec<Place>,
    checks: Vec<Check>,
    timeline: &Timeline,
) -> (Vec<Place>, Vec<Check>) {
    // Where each place goes: the first place of its code. The keys borrow from the places, so
    // telling tens of thousands of places apart copies no name.
    let firsts: Vec<usize> = {
        let mut first: HashMap<(&str, u32, &str, Op), usize> = HashMap::with_capacity(places.len());
        places
            .iter()
            .zip(&checks)
            .enumerate()
            .map(|(at, (place, check))| *first.entry(code_key(place, check)).or_insert(at))
            .collect()
    };
    if firsts.iter().enumerate().all(|(at, &first)| at == first) {
        return (places, checks);
    }
    // Each place's position in `merged`, once it is there.
    let mut kept_at: Vec<usize> = Vec::with_capacity(places.len());
    let mut merged: Vec<(Place, Check)> = Vec::with_capacity(places.len());
    for ((place, check), (at, first)) in places
        .into_iter()
        .zip(checks)
        .zip(firsts.into_iter().enumerate())
    {
        if first == at {
            kept_at.push(merged.len());
            merged.push((place, check));
            continue;
        }
        kept_at.push(kept_at[first]);
        let (kept, kept_check) = &mut merged[kept_at[first]];
        // The most specific name of the op: nil_send over send, any over unknown.
        if place.op != Op::Unknown && (kept.op == Op::Unknown || place.op > kept.op) {
            kept.op = place.op;
        }
        kept.leaked = kept.leaked.max(place.leaked);
        aggregate::merge_tally(&mut kept.tally, place.tally);
        let trusted = |check: &Check| check.as_ref().is_some_and(|check| check.trusted);
        if !trusted(kept_check) && trusted(&check) {
            *kept_check = check;
        }
    }
    for (place, _) in &mut merged {
        place.movement = timeline.movement(&place.tally.series);
    }
    merged.into_iter().unzip()
}

/// What makes two places one piece of code (see [`merge_same_code`]): the file in the
/// repository (its name alone without `--repo`), the line, the function and the op's family.
fn code_key<'a>(place: &'a Place, check: &'a Check) -> (&'a str, u32, &'a str, Op) {
    let file = match check.as_ref().and_then(|check| check.location.repo_path()) {
        Some(path) => path,
        None => {
            let file = place.site.file.as_str();
            file.rsplit(['/', '\\']).next().unwrap_or(file)
        }
    };
    (
        file,
        place.site.line,
        place.site.function.as_str(),
        op_of(place, check).family(),
    )
}

/// An inline ignore and the repository file it is in.
type FileMarker = (String, Marker);

/// With `--repo`: what the source says about each place, and the inline ignores of the files
/// read; without, nothing.
fn check_source(
    places: &[Place],
    source: Option<&Source>,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<Check>, Vec<FileMarker>), RunError> {
    let mut markers = Vec::new();
    let Some(source) = source else {
        return Ok((places.iter().map(|_| None).collect(), markers));
    };
    let mapper = PathMapper::new(source)?;
    let refs: Vec<PlaceRef<'_>> = places
        .iter()
        .map(|place| PlaceRef {
            file: &place.site.file,
            line: place.site.line,
            function: &place.site.function,
            op: place.op,
            creator: place
                .tally
                .created_by
                .as_deref()
                .zip(place.tally.created_at.as_ref())
                .map(|(function, (file, line))| (function, file.as_str(), *line)),
            caller: patterns::caller(&place.site, &place.tally.stack),
        })
        .collect();
    let checks = source::check(&refs, source, &mapper, warnings, &mut markers);
    Ok((
        checks
            .into_iter()
            .map(|check| Some(Box::new(check)))
            .collect(),
        markers,
    ))
}

/// Inline ignores that apply to no place of the profiles, whatever its status: stale once the
/// leak they excused is fixed. Those of the files the source stage read: reading every Go file
/// of a large repository for them would cost seconds.
fn unused_ignores(
    places: &[Place],
    checks: &[Check],
    mut markers: Vec<FileMarker>,
) -> Vec<Warning> {
    markers.sort_by(|a, b| (&a.0, a.1.line).cmp(&(&b.0, b.1.line)));
    markers
        .into_iter()
        .filter(|(path, marker)| {
            !places.iter().zip(checks).any(|(place, check)| {
                check.as_ref().and_then(|check| check.location.repo_path()) == Some(path.as_str())
                    && marker.applies_to(place.site.line)
            })
        })
        .map(|(file, marker)| Warning::IgnoreUnused {
            file,
            line: marker.line,
            alone: marker.alone,
        })
        .collect()
}

/// Code owners from the first CODEOWNERS file at the root of the repository at the revision
/// (where GitHub reads it), for places mapped into the repository.
fn assign_owners(
    places: &[Place],
    checks: &[Check],
    source: Option<&Source>,
    warnings: &mut Vec<Warning>,
) -> Vec<Vec<String>> {
    let none = || places.iter().map(|_| Vec::new()).collect();
    let Some(source) = source else {
        return none();
    };
    let Some(code_owners) = code_owners(source, warnings) else {
        return none();
    };
    // Patterns are written against paths from the repository's root, as GitHub reads them,
    // also when `--repo` is a module folder in it.
    let prefix = source.prefix();
    let prefix = prefix.as_str();
    checks
        .iter()
        .map(
            |check| match check.as_ref().and_then(|check| check.location.repo_path()) {
                Some(path) if prefix.is_empty() => code_owners.owners(path),
                Some(path) => code_owners.owners(&format!("{prefix}/{path}")),
                None => Vec::new(),
            },
        )
        .collect()
}

/// The first CODEOWNERS file at the revision, parsed; the lines GitHub would ignore become
/// warnings.
fn code_owners(source: &Source, warnings: &mut Vec<Warning>) -> Option<CodeOwners> {
    let (location, text) = owners::LOCATIONS.iter().find_map(|location| {
        match source.read_from_repository_root(location) {
            Ok(Some(bytes)) => Some((*location, String::from_utf8_lossy(&bytes).into_owned())),
            _ => None,
        }
    })?;
    let (code_owners, problems) = CodeOwners::parse(&text);
    warnings.extend(
        problems
            .into_iter()
            .map(|(line, problem)| Warning::CodeOwnersLine {
                location: location.to_string(),
                line,
                problem,
            }),
    );
    Some(code_owners)
}

/// Why each place is not reported as own code: the standard library (from the function's
/// package, with or without source) or what path mapping found, unless asked for.
fn exclusions(places: &[Place], checks: &[Check], config: &ReportConfig) -> Vec<Option<Exclusion>> {
    places
        .iter()
        .zip(checks)
        .map(|(place, check)| {
            let mapped = match check.as_ref().map(|check| &check.location) {
                Some(Location::Foreign { exclusion, .. }) => Some(exclusion.clone()),
                _ => None,
            };
            if is_std_function(&place.site.function) || mapped == Some(Exclusion::StandardLibrary) {
                return (!config.scope.include_std).then_some(Exclusion::StandardLibrary);
            }
            mapped.filter(|_| !config.scope.include_deps)
        })
        .collect()
}

/// The place's file as findings name it: repository-relative when mapped.
fn file_of<'a>(place: &'a Place, check: &'a Check) -> &'a str {
    check
        .as_ref()
        .and_then(|check| check.location.repo_path())
        .unwrap_or(&place.site.file)
}

/// The op as findings name it: the source's when it is more precise.
fn op_of(place: &Place, check: &Check) -> Op {
    check
        .as_ref()
        .and_then(|check| check.refined_op)
        .unwrap_or(place.op)
}

fn apply_rules(
    rules: &[Rule],
    places: &[Place],
    checks: &[Check],
    exclusions: &[Option<Exclusion>],
    config: &ReportConfig,
) -> Applied {
    let subjects: Vec<Option<Subject<'_>>> = places
        .iter()
        .zip(checks)
        .zip(exclusions)
        .map(|((place, check), exclusion)| {
            exclusion.is_none().then(|| Subject {
                function: &place.site.function,
                file: file_of(place, check),
                line: place.site.line,
                op: op_of(place, check),
                stack: &place.tally.stack,
                stacks: &place.tally.stacks,
                stacks_untold: place.tally.stacks_untold,
                goroutines: place.tally.goroutines,
                ignored_inline: check.as_ref().is_some_and(|check| check.ignore.is_some()),
            })
        })
        .collect();
    allowlist::apply(rules, &subjects, config.rules.today)
}

/// With `--threshold auto`, the highest bar a snapshot set for itself.
fn automatic_bar(entries: &[ProfileEntry], config: &ReportConfig) -> Option<u64> {
    if config.threshold != Threshold::Auto {
        return None;
    }
    entries.iter().filter_map(|entry| entry.threshold).max()
}

/// Everything the stages found out about one place, gathered for the decision.
struct Known {
    place: Place,
    check: Check,
    exclusion: Option<Exclusion>,
    owners: Vec<String>,
    told: patterns::Told,
    /// The allowlist rule that would suppress the place (an index into the rules).
    rule: Option<usize>,
    /// The first rule that matches but allows fewer goroutines than it would cover here, and
    /// how many.
    over_bound: Option<(usize, u64)>,
}

/// The stages' findings about each place, one record per place.
fn gather(
    places: Vec<Place>,
    checks: Vec<Check>,
    exclusions: Vec<Option<Exclusion>>,
    owners: Vec<Vec<String>>,
    told: Vec<patterns::Told>,
    applied: &Applied,
) -> Vec<Known> {
    places
        .into_iter()
        .zip(checks)
        .zip(exclusions)
        .zip(owners)
        .zip(told)
        .zip(applied.hits.iter().zip(&applied.over_bound))
        .map(
            |(((((place, check), exclusion), owners), told), (&rule, &over_bound))| Known {
                place,
                check,
                exclusion,
                owners,
                told,
                rule,
                over_bound,
            },
        )
        .collect()
}

fn decide_all(
    known: &[Known],
    rules: &[Rule],
    auto_bar: Option<u64>,
    config: &ReportConfig,
) -> Vec<Decision> {
    let policy = Policy {
        ctx_done_bounds: config.ctx_done_bounds,
        confirmed_below_threshold: config.confirmed_below_threshold,
    };
    known
        .iter()
        .map(|known| {
            let (place, check) = (&known.place, &known.check);
            let rule = known
                .rule
                .map(|index| &rules[index])
                .map(|rule| RuleEvidence {
                    id: &rule.id,
                    reason: &rule.reason,
                    owner: rule.owner.as_deref(),
                    builtin: rule.source == RuleSource::Builtin,
                });
            let over_bound = known.over_bound.and_then(|(index, goroutines)| {
                let rule = &rules[index];
                Some(OverBound {
                    rule: &rule.id,
                    max: rule.max_goroutines?,
                    goroutines,
                    says: rule.over_bound.as_deref(),
                })
            });
            let evidence = Evidence {
                exclusion: known.exclusion.as_ref(),
                ignore: check.as_ref().and_then(|check| check.ignore.as_deref()),
                rule,
                over_bound,
                bounds: check.as_ref().map_or(&[], |check| &check.bounds),
                place: (file_of(place, check), place.site.line),
                leaked: place.leaked,
                over_threshold: place.tally.over_threshold,
                op: op_of(place, check),
                source_checked: check.as_ref().is_some_and(|check| check.evidence.is_some()),
                trend: place.movement.trend,
                auto_bar,
                pool: pool_evidence(known),
                pattern: known.told.abandoning(),
                found_by: FoundBy::Profile,
            };
            status::decide(&evidence, policy)
        })
        .collect()
}

/// A steady place whose goroutines a loop of a fixed count started: a worker pool, by the
/// look of it.
fn pool_evidence(known: &Known) -> Option<PoolEvidence<'_>> {
    let place = &known.place;
    if place.movement.trend != Some(Trend::Steady) {
        return None;
    }
    let spawn = known.check.as_ref()?.spawn.as_ref()?;
    if !spawn.fixed_loop {
        return None;
    }
    let creator = place
        .tally
        .created_by
        .as_deref()
        .or(spawn.function.as_deref())?;
    Some(PoolEvidence {
        goroutines: place.tally.goroutines,
        creator,
        snapshots: place.tally.profiles as usize,
    })
}

/// Each rule's usage, counting the places it suppressed in the end.
fn rule_usage(
    rules: &[Rule],
    applied: &Applied,
    decided: &[Decision],
    today: Date,
    warnings: &mut Vec<Warning>,
) -> Vec<RuleUsage> {
    let mut suppressed = vec![0u64; rules.len()];
    for (hit, decision) in applied.hits.iter().zip(decided) {
        let by_rule = decision
            .suppression
            .as_ref()
            .is_some_and(|suppression| suppression.rule.is_some());
        if let (Some(index), Status::Suppressed, true) = (hit, decision.status, by_rule) {
            suppressed[*index] += 1;
        }
    }
    let (usage, rule_warnings) = allowlist::usage(rules, &applied.matched, &suppressed, today);
    warnings.extend(rule_warnings);
    usage
}

/// Builds each finding once, from everything the stages found.
fn assemble(
    known: Vec<Known>,
    decided: Vec<Decision>,
    ids: Vec<String>,
    group_key: Option<&str>,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = known
        .into_iter()
        .zip(decided)
        .zip(ids)
        .map(|((known, decision), id)| {
            let Known {
                place,
                check,
                exclusion,
                owners,
                told,
                ..
            } = known;
            let op = op_of(&place, &check);
            let repo_path = check
                .as_ref()
                .and_then(|check| check.location.repo_path())
                .map(str::to_string);
            let Place {
                site,
                tally,
                leaked,
                movement,
                ..
            } = place;
            // The profile's path is kept beside the repository's, or is the file.
            let (file, profile_file) = match repo_path {
                Some(path) => (path, Some(site.file)),
                None => (site.file, None),
            };
            Finding {
                id,
                found_by: FoundBy::Profile,
                confirmed_by: None,
                lint_finding: None,
                function: site.function,
                profile_file,
                file,
                line: site.line,
                op,
                goroutines: tally.goroutines,
                total_goroutines: tally.total_goroutines,
                profiles: tally.profiles,
                status: decision.status,
                suppression: decision.suppression,
                verdict: decision.verdict,
                notes: decision.notes,
                stack: tally.stack.into(),
                created_by: tally.created_by,
                created_at: told.created_at,
                pattern: told.pattern,
                max_wait_minutes: tally.max_wait_minutes,
                leaked_goroutines: leaked,
                confirmed: leaked > 0,
                trend: movement.trend,
                growth_per_hour: movement.growth_per_hour,
                change: movement.change,
                instances: movement.instances,
                series: movement.series,
                by_label: label_groups(group_key, &tally.groups),
                exclusion,
                source: check.and_then(|check| check.evidence),
                labels: tally
                    .labels
                    .into_iter()
                    .map(|(key, values)| (key, values.into_iter().collect()))
                    .collect(),
                owners,
                new: None,
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        a.verdict
            .cmp(&b.verdict)
            .then_with(|| b.goroutines.cmp(&a.goroutines))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.function.cmp(&b.function))
            .then_with(|| a.op.cmp(&b.op))
    });
    findings
}

/// A place's goroutines by the values of the label to group by, most first.
fn label_groups(key: Option<&str>, groups: &BTreeMap<String, u64>) -> Option<LabelGroups> {
    let key = key?;
    let mut values: Vec<LabelValue> = groups
        .iter()
        .map(|(value, &goroutines)| LabelValue {
            value: value.clone(),
            goroutines,
        })
        .collect();
    values.sort_by(|a, b| {
        b.goroutines
            .cmp(&a.goroutines)
            .then_with(|| a.value.cmp(&b.value))
    });
    Some(LabelGroups {
        key: key.to_string(),
        values,
    })
}

/// Every place's id, from what identifies its code (see [`crate::model::id`]): its file
/// named from the repository's root (`prefix` is where `--repo` sits in it), so that
/// `--repo .` and `--repo services/api` give a leak the same id.
fn ids(known: &[Known], prefix: Option<&str>) -> Vec<String> {
    let files: Vec<String> = known
        .iter()
        .map(|known| {
            let file = file_of(&known.place, &known.check);
            let mapped = known
                .check
                .as_ref()
                .is_some_and(|check| check.location.repo_path().is_some());
            match prefix.filter(|prefix| mapped && !prefix.is_empty()) {
                Some(prefix) => format!("{prefix}/{file}"),
                None => file.to_string(),
            }
        })
        .collect();
    let parts: Vec<IdParts<'_>> = known
        .iter()
        .zip(&files)
        .map(|(known, file)| (&known.place, &known.check, file))
        .map(|(place, check, file)| IdParts {
            file,
            line: place.site.line,
            function: &place.site.function,
            op: op_of(place, check),
            syntax: check.as_ref().and_then(|check| {
                check.location.repo_path()?;
                check.syntax.as_deref()
            }),
            twin: check.as_ref().and_then(|check| check.twin).unwrap_or(1),
        })
        .collect();
    id::assign(&parts)
}

fn against_baseline(
    mut findings: Vec<Finding>,
    baseline: Option<&HashSet<String>>,
) -> Vec<Finding> {
    if let Some(baseline) = baseline {
        for finding in &mut findings {
            finding.new = Some(!baseline.contains(&finding.id));
        }
    }
    findings
}

/// `--owner`: only that owner's findings, and no other blocking.
fn for_owner(
    mut findings: Vec<Finding>,
    mut other: Vec<OtherBlocking>,
    owner: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> (Vec<Finding>, Vec<OtherBlocking>) {
    if let Some(owner) = owner {
        let owns = |finding: &Finding| finding.owners.iter().any(|o| o.eq_ignore_ascii_case(owner));
        // Said apart from "no suspected leaks": an owner that owns nothing is a typo or a
        // team missing from CODEOWNERS, not good news.
        if !findings.iter().any(owns) {
            warnings.push(Warning::OwnerOwnsNothing {
                owner: owner.to_string(),
                known: findings.iter().any(|finding| !finding.owners.is_empty()),
            });
        }
        findings.retain(owns);
        other.clear();
    }
    (findings, other)
}

/// Once per report: a goroutineleak profile would prove leaks, when none was given and
/// something is reported.
fn hints(entries: &[ProfileEntry], findings: &[Finding]) -> Vec<Hint> {
    let gc_evidence = entries
        .iter()
        .any(|entry| entry.format == Format::GoroutineLeak)
        || findings.iter().any(|finding| finding.leaked_goroutines > 0);
    let reported = findings.iter().any(|f| f.status == Status::Reported);
    if reported && !gc_evidence {
        vec![Hint::GoroutineLeakProfile]
    } else {
        Vec::new()
    }
}

/// Goroutine counts over every place found, whoever owns it; the reported findings are
/// counted once `--owner` has chosen them.
fn summarize(entries: &[ProfileEntry], findings: &[Finding], other: &[OtherBlocking]) -> Summary {
    let mut summary = Summary {
        goroutines: entries
            .iter()
            .filter(|entry| !entry.evidence)
            .fold(0u64, |sum, entry| sum.saturating_add(entry.goroutines)),
        ..Summary::default()
    };
    for finding in findings {
        if finding.op.is_channel() {
            summary.channel_blocked = summary
                .channel_blocked
                .saturating_add(finding.total_goroutines);
        }
        let kind = summary.by_kind.entry(finding.op.as_str()).or_default();
        *kind = kind.saturating_add(finding.total_goroutines);
    }
    for entry in other {
        let kind = summary.by_kind.entry(entry.kind).or_default();
        *kind = kind.saturating_add(entry.total_goroutines);
    }
    summary
}
