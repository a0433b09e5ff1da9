//! The domain model: what a report says, independent of how it is rendered. Every stage of
//! the pipeline builds these values and every renderer reads them; nothing here imports a
//! renderer.
//!
//! [`Report`] holds [`Finding`]s; a finding's [`Status`] and [`Verdict`] and their reasons
//! are in `status`, how its goroutines moved in `movement`, what the source shows in
//! `evidence`.

mod evidence;
mod finding;
pub mod id;
mod movement;
pub mod pattern;
mod report;
mod status;
#[cfg(test)]
pub mod testing;
pub mod view;
pub mod warning;

pub use evidence::{ChannelEvidence, SourceContext, SourceEvidence, Span};
pub use finding::{Finding, FoundBy, LabelGroups, LabelValue, Stack};
pub use movement::{Change, InstanceCount, Point, Trend, rfc3339};
pub use pattern::{EvidenceLine, Fix, Pattern, PatternId};
pub use report::{
    Hint, LintInfo, OtherBlocking, ProfileEntry, Report, RuleUsage, SCHEMA_VERSION, SourceInfo,
    Summary, Tool,
};
pub use status::{Exclusion, Note, Status, Suppression, SuppressionKind, Verdict};
pub use warning::{Warning, WarningPlace};
