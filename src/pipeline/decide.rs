//! The allowlists applied to every place, everything the stages found out about each place
//! gathered into one record ([`Known`]), each place's status decided from it
//! ([`super::status::decide`]), and each rule's usage counted from the decisions.

use super::patterns;
use super::places::{Check, Place, file_of, op_of};
use super::status::{self, Decision, Evidence, OverBound, Policy, PoolEvidence, RuleEvidence};
use crate::allowlist::{self, Applied, Rule, RuleSource, Subject};
use crate::cli::Threshold;
use crate::config::ReportConfig;
use crate::date::Date;
use crate::model::{Exclusion, FoundBy, ProfileEntry, RuleUsage, Status, Trend, Warning};

pub(super) fn apply_rules(
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
pub(super) fn automatic_bar(entries: &[ProfileEntry], config: &ReportConfig) -> Option<u64> {
    if config.threshold != Threshold::Auto {
        return None;
    }
    entries.iter().filter_map(|entry| entry.threshold).max()
}

/// Everything the stages found out about one place, gathered for the decision.
pub(super) struct Known {
    pub(super) place: Place,
    pub(super) check: Check,
    pub(super) exclusion: Option<Exclusion>,
    pub(super) owners: Vec<String>,
    pub(super) told: patterns::Told,
    /// The allowlist rule that would suppress the place (an index into the rules).
    pub(super) rule: Option<usize>,
    /// The first rule that matches but allows fewer goroutines than it would cover here, and
    /// how many.
    pub(super) over_bound: Option<(usize, u64)>,
}

/// The stages' findings about each place, one record per place.
pub(super) fn gather(
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

pub(super) fn decide_all(
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
pub(super) fn rule_usage(
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
