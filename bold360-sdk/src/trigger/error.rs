//! Why a trigger request is not trusted.

use std::fmt;

/// Why a trigger request is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TriggerError {
    /// The body has no `signed` field (or it lists nothing).
    MissingSigned,
    /// The body has no `signature` field.
    MissingSignature,
    /// `signed` names a field the body does not have.
    MissingField(String),
    /// The signature does not match.
    BadSignature,
    /// HTTP Basic credentials are required and were missing or wrong.
    Unauthorized(&'static str),
    /// A validly signed trigger that was already handled within the replay window.
    Replayed,
    /// The same trigger is being handled right now (a concurrent copy): try again later.
    InFlight,
    /// The server is set up wrongly (answered 500; not the sender's fault).
    Misconfigured(&'static str),
    /// The body could not be read as form fields or a JSON object, or a verified field does
    /// not have the type its payload expects.
    MalformedBody(String),
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSigned => f.write_str("trigger has no `signed` field"),
            Self::MissingSignature => f.write_str("trigger has no `signature` field"),
            Self::MissingField(name) => write!(
                f,
                "trigger signs field {name:?}, which the body does not have"
            ),
            Self::BadSignature => f.write_str("trigger signature does not match"),
            Self::Unauthorized(why) => write!(f, "trigger credentials rejected: {why}"),
            Self::Replayed => f.write_str("trigger was already received (a replay)"),
            Self::InFlight => f.write_str("the same trigger is being handled now; try again later"),
            Self::Misconfigured(why) => write!(f, "trigger endpoint misconfigured: {why}"),
            Self::MalformedBody(why) => write!(f, "trigger body is malformed: {why}"),
        }
    }
}

impl std::error::Error for TriggerError {}

impl TriggerError {
    /// True for failures of trust (answer 401), false for malformed input (answer 400).
    pub fn is_unauthorized(&self) -> bool {
        !matches!(
            self,
            Self::MalformedBody(_) | Self::InFlight | Self::Misconfigured(_)
        )
    }
}
