//! The one-line error every failure prints, with its exit code.

use bold360_sdk::Error;

use crate::exit::{API, NETWORK, TRUNCATED, USAGE};

/// The failure for a truncated answer of a method that does not page.
pub fn truncated(method: &str, records: u64) -> Failure {
    Failure {
        code: TRUNCATED,
        message: format!(
            "{method} answered Truncated after {} and does not page: the rest are missing; narrow the filter (e.g. the date window), or pass --accept-truncated",
            crate::out::count(records, "record")
        ),
    }
}

/// A failure: its exit code and its message (never holding a secret).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Config { .. } | Error::InvalidRequest { .. } => USAGE,
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::Http { .. }
            | Error::RateLimiter { .. } => NETWORK,
            _ => API,
        };
        // The SDK's messages are already free of the key and the token.
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Self::usage(e.to_string())
    }
}
