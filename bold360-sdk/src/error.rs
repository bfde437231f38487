//! The one error type of the SDK.

use std::time::Duration;

/// A boxed error source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong with a call, each naming the method it concerns.
///
/// No variant ever holds the API key or the `auth` token: transport errors are stripped of the
/// URL (which carries the token) and body snippets are scrubbed before they are stored.
///
/// ```
/// use bold360_sdk::Error;
/// fn describe(err: &Error) -> &'static str {
///     match err {
///         Error::Api { .. } => "the API said no",
///         Error::TooManyRequests { .. } => "refused by the rate limiter, safe to retry",
///         Error::InvalidRequest { .. } => "fix the call",
///         _ => "other",
///     }
/// }
/// let err = Error::Api { method: "getChat".into(), status: "error".into(), message: "Invalid ChatID".into(), http_status: 200 };
/// assert_eq!(describe(&err), "the API said no");
/// assert_eq!(err.to_string(), "getChat: the API answered \"error\": Invalid ChatID");
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a Bold360 envelope whose `Status` is not success.
    #[error("{method}: the API answered {status:?}: {message}")]
    Api {
        /// The method called.
        method: String,
        /// The `Status` field as sent (e.g. `error`).
        status: String,
        /// The server's `Message`.
        message: String,
        /// The HTTP status code of the response.
        http_status: u16,
    },
    /// The server refused the request before doing anything (`Too many simultaneous
    /// requests`). Always safe to retry, even for writes.
    #[error("{method}: the server refused the request (HTTP {http_status}): too many simultaneous requests")]
    TooManyRequests {
        /// The method called.
        method: String,
        /// The HTTP status code: 500 from Bold360, 429 from a gateway in front of it.
        http_status: u16,
        /// The server's `Retry-After`, when it sent one: the next attempt waits this long.
        retry_after: Option<Duration>,
    },
    /// An HTTP status or body that is not a Bold360 answer: an HTML error page, a proxy's
    /// message, an empty body.
    #[error("{method}: HTTP {status} with a body that is not a Bold360 response: {snippet}")]
    Http {
        /// The method called.
        method: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the body, on one line, with secrets removed.
        snippet: String,
        /// The server's `Retry-After` on a 503, when it sent one: the next attempt waits
        /// this long.
        retry_after: Option<Duration>,
    },
    /// The request could not be sent or the response could not be read.
    #[error("{method}: transport error: {message}")]
    Transport {
        /// The method called.
        method: String,
        /// What happened, without the URL.
        message: String,
        /// The underlying error, stripped of the URL.
        #[source]
        source: Option<BoxError>,
    },
    /// The response body grew past the transport's size limit
    /// ([`TransportConfig::max_body_size`](crate::TransportConfig::max_body_size)); reading
    /// stopped there.
    #[error("{method}: the response is larger than {limit} bytes; reading stopped")]
    ResponseTooLarge {
        /// The method called.
        method: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// No complete response arrived in time.
    #[error("{method}: no response within {timeout:?}")]
    Timeout {
        /// The method called.
        method: String,
        /// The limit that was hit.
        timeout: Duration,
    },
    /// The response was JSON but did not have the expected shape.
    #[error("{method}: could not decode the response at {path}: {message}")]
    Decode {
        /// The method called.
        method: String,
        /// JSON path of the value that failed, e.g. `Data[3].ChatID`.
        path: String,
        /// What was wrong there.
        message: String,
    },
    /// Paging could not go on safely (the server repeated a cursor).
    #[error("{method}: paging stopped: {reason}")]
    Paging {
        /// The method called.
        method: String,
        /// Why.
        reason: String,
    },
    /// A report job ended without data (timed out, failed or was cancelled), or the server
    /// kept answering without a StatusCode the SDK knows.
    #[error("{method}: report {report_id} {outcome} (StatusCode {})", status_code.map_or_else(|| "missing".to_owned(), |c| c.to_string()))]
    Report {
        /// The method called (getReport).
        method: String,
        /// The report job.
        report_id: String,
        /// `timed out`, `failed`, `was cancelled`, or `has no known status`.
        outcome: &'static str,
        /// The StatusCode the server gave (5, 6 or 7; another number, or `None`, when the
        /// server's answer had no known status).
        status_code: Option<i64>,
    },
    /// The request was refused before sending: a bad method or parameter.
    #[error("{method}: invalid request{}: {reason}", parameter.as_ref().map(|p| format!(" (parameter {p:?})")).unwrap_or_default())]
    InvalidRequest {
        /// The method called.
        method: String,
        /// The parameter at fault, if one is.
        parameter: Option<String>,
        /// Why it was refused.
        reason: String,
    },
    /// The rate limiter could not admit the call: the shared limiter's store (Redis) cannot be
    /// reached and no fallback was configured. Nothing was sent.
    #[error("{method}: not sent: {reason}")]
    RateLimiter {
        /// The method called.
        method: String,
        /// What failed (the store's address, never its password).
        reason: String,
    },
    /// Bad or missing configuration.
    #[error("configuration: {setting} {reason}")]
    Config {
        /// The setting or environment variable at fault, e.g. `BOLD360_ACCOUNT_ID`.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    pub(crate) fn config(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            setting: setting.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_request(
        method: &str,
        parameter: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidRequest {
            method: method.to_owned(),
            parameter: parameter.map(str::to_owned),
            reason: reason.into(),
        }
    }

    /// The method the error concerns; `None` for configuration errors.
    pub fn method(&self) -> Option<&str> {
        match self {
            Error::Api { method, .. }
            | Error::TooManyRequests { method, .. }
            | Error::Http { method, .. }
            | Error::ResponseTooLarge { method, .. }
            | Error::Transport { method, .. }
            | Error::Timeout { method, .. }
            | Error::Decode { method, .. }
            | Error::Paging { method, .. }
            | Error::Report { method, .. }
            | Error::InvalidRequest { method, .. }
            | Error::RateLimiter { method, .. } => Some(method),
            Error::Config { .. } => None,
        }
    }

    /// True for failures that may go away on their own: refusals, timeouts, transport errors,
    /// HTTP 408, 429 and 5xx. Whether a retry is *safe* also depends on the method: only
    /// [`is_refusal`](Self::is_refusal) errors are safe to retry for writes.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::TooManyRequests { .. } | Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    /// True when the server refused the request before acting on it, so that even a write
    /// can be sent again.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Error::TooManyRequests { .. })
    }

    /// How long the server asked to wait before the next attempt (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::TooManyRequests { retry_after, .. } | Error::Http { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}
