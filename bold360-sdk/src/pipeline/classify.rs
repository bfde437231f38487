//! Stage 7, classify: the one place that decides what an attempt came to — success, retry
//! after how long, or failure — and what it cost the account's budget. Pure: the same inputs
//! always give the same decision (the jitter is an input), so it is tested as a table.
//!
//! The decode stage has already turned the status, the `Retry-After` header and the envelope
//! into typed facts (an [`Error`] variant with its HTTP status and requested wait); this
//! stage weighs them against the method's kind and the retry policy:
//! - a refusal (`Too many simultaneous requests`, HTTP 429) did nothing on the server: any
//!   method is retried, after the server's `Retry-After`, else after the one-second window
//!   plus up to 250 ms of jitter, and the limiter hears of it;
//! - a transient failure (transport error, timeout, HTTP 408, 429, 5xx) is retried only for
//!   reads, after an exponential back-off with jitter (or the server's `Retry-After`): a write
//!   that may have been done is never sent twice;
//! - anything else fails at once: the API's own error, a response that does not decode, an
//!   invalid request;
//! - no retry goes past the policy's attempts or its time limit.

use std::time::Duration;

use crate::error::Error;
use crate::method::kind::MethodKind;
use crate::pipeline::retry::RetryPolicy;

/// What one attempt came to, before deciding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// A success envelope holding this many records.
    Answered { records: u64 },
    /// A failure; `reached_server` is false when the request never left (no connection, or
    /// refused before sending).
    Failed {
        error: &'a Error,
        reached_server: bool,
    },
}

/// Where the call stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub kind: MethodKind,
    /// Counts from 1.
    pub number: u32,
    /// Since the first attempt started.
    pub elapsed: Duration,
}

/// The decision on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub verdict: Verdict,
    pub cost: Cost,
}

/// Success, retry, or failure, with the reason that goes into the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Success,
    Retry {
        after: Duration,
        reason: &'static str,
    },
    Fail {
        reason: &'static str,
    },
}

impl Verdict {
    /// The decision's name in traces: `success`, `retry` or `fail`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Verdict::Success => "success",
            Verdict::Retry { .. } => "retry",
            Verdict::Fail { .. } => "fail",
        }
    }
}

/// What the attempt cost the account's budget, for the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cost {
    /// Answered with this many records (0 for the API's own errors: nothing was served).
    Served(u64),
    /// Refused: nothing served, and the account is congested.
    Refused,
    /// Never reached the server: nothing was spent.
    Unsent,
    /// Unknown (a broken connection, a timeout, an unreadable body): the server may have
    /// served what was reserved.
    Kept,
}

/// Decides on one attempt. `jitter` is uniform in `[0, 1)`.
pub(crate) fn classify(
    outcome: Outcome<'_>,
    attempt: Attempt,
    policy: &RetryPolicy,
    jitter: f64,
) -> Decision {
    let (error, reached_server) = match outcome {
        Outcome::Answered { records } => {
            return Decision {
                verdict: Verdict::Success,
                cost: Cost::Served(records),
            }
        }
        Outcome::Failed {
            error,
            reached_server,
        } => (error, reached_server),
    };
    let cost = match error {
        _ if !reached_server => Cost::Unsent,
        Error::TooManyRequests { .. } => Cost::Refused,
        Error::Api { .. } => Cost::Served(0),
        _ => Cost::Kept,
    };
    Decision {
        verdict: verdict(error, attempt, policy, jitter),
        cost,
    }
}

fn verdict(error: &Error, attempt: Attempt, policy: &RetryPolicy, jitter: f64) -> Verdict {
    let refused = error.is_refusal();
    let transient = error.is_retryable();
    if !refused && !transient {
        return Verdict::Fail {
            reason: "not retryable",
        };
    }
    if !refused && attempt.kind == MethodKind::Write {
        return Verdict::Fail {
            reason: "a write that may have been done is not sent twice",
        };
    }
    if attempt.number >= policy.get_max_attempts() {
        return Verdict::Fail {
            reason: "no attempts left",
        };
    }
    let jitter = jitter.clamp(0.0, 1.0);
    let after = if let Some(asked) = error.retry_after() {
        // The server said when: no sooner.
        asked
    } else if refused {
        // The server counts in one-second windows: wait one out, then spread the herd.
        Duration::from_millis(1_000 + (250.0 * jitter) as u64)
    } else {
        let exp = policy
            .initial_backoff
            .saturating_mul(1u32 << (attempt.number - 1).min(16))
            .min(policy.max_backoff);
        let ms = u64::try_from(exp.as_millis()).unwrap_or(u64::MAX).max(1);
        // Full jitter over the upper half of the back-off.
        Duration::from_millis(ms / 2 + ((ms - ms / 2) as f64 * jitter) as u64)
    };
    if attempt.elapsed.saturating_add(after) > policy.max_elapsed {
        return Verdict::Fail {
            reason: "the wait would pass the policy's time limit",
        };
    }
    Verdict::Retry {
        after,
        reason: if refused {
            "refused by the server"
        } else {
            "transient failure"
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MethodKind::{Read, Write};

    fn m() -> String {
        "m".to_owned()
    }

    fn refusal(http_status: u16, retry_after: Option<u64>) -> Error {
        Error::TooManyRequests {
            method: m(),
            http_status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn http(status: u16, retry_after: Option<u64>) -> Error {
        Error::Http {
            method: m(),
            status,
            snippet: String::new(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn transport() -> Error {
        Error::Transport {
            method: m(),
            message: "connection reset".into(),
            source: None,
        }
    }

    fn api() -> Error {
        Error::Api {
            method: m(),
            status: "error".into(),
            message: "Invalid ChatID".into(),
            http_status: 200,
        }
    }

    fn decode_error() -> Error {
        Error::Decode {
            method: m(),
            path: "Data[0].ChatID".into(),
            message: "x".into(),
        }
    }

    fn timeout() -> Error {
        Error::Timeout {
            method: m(),
            timeout: Duration::from_secs(1),
        }
    }

    fn at(kind: MethodKind, number: u32, elapsed_ms: u64) -> Attempt {
        Attempt {
            kind,
            number,
            elapsed: Duration::from_millis(elapsed_ms),
        }
    }

    fn retry(ms: u64, reason: &'static str) -> Verdict {
        Verdict::Retry {
            after: Duration::from_millis(ms),
            reason,
        }
    }

    fn fail(reason: &'static str) -> Verdict {
        Verdict::Fail { reason }
    }

    const REFUSED: &str = "refused by the server";
    const TRANSIENT: &str = "transient failure";
    const WRITE: &str = "a write that may have been done is not sent twice";
    const FINAL: &str = "not retryable";
    const NO_ATTEMPTS: &str = "no attempts left";
    const TOO_LATE: &str = "the wait would pass the policy's time limit";

    /// Every row: the error, whether it reached the server, the attempt, the jitter, and the
    /// decision expected with the default policy (4 attempts, 200 ms doubling to 5 s, 30 s).
    #[test]
    fn decisions() {
        let policy = RetryPolicy::default();
        #[rustfmt::skip]
        let rows: Vec<(Error, bool, Attempt, f64, Verdict, Cost)> = vec![
            // Refusals: any kind, one window plus jitter, or exactly the server's Retry-After.
            (refusal(500, None), true, at(Read, 1, 0), 0.0, retry(1_000, REFUSED), Cost::Refused),
            (refusal(500, None), true, at(Write, 1, 0), 0.999, retry(1_249, REFUSED), Cost::Refused),
            (refusal(429, Some(2)), true, at(Write, 1, 0), 0.5, retry(2_000, REFUSED), Cost::Refused),
            (refusal(429, Some(60)), true, at(Read, 1, 0), 0.5, fail(TOO_LATE), Cost::Refused),
            (refusal(500, None), true, at(Read, 4, 0), 0.0, fail(NO_ATTEMPTS), Cost::Refused),
            (refusal(500, None), true, at(Read, 1, 29_500), 0.0, fail(TOO_LATE), Cost::Refused),
            // Exactly at the time limit still retries; one millisecond past it does not.
            (refusal(500, None), true, at(Read, 1, 29_000), 0.0, retry(1_000, REFUSED), Cost::Refused),
            (refusal(500, None), true, at(Read, 1, 29_001), 0.0, fail(TOO_LATE), Cost::Refused),
            // Transient failures: reads back off exponentially (upper half, jittered), writes stop.
            (transport(), true, at(Read, 1, 0), 0.0, retry(100, TRANSIENT), Cost::Kept),
            (transport(), true, at(Read, 1, 0), 1.0, retry(200, TRANSIENT), Cost::Kept),
            (transport(), true, at(Read, 2, 0), 0.0, retry(200, TRANSIENT), Cost::Kept),
            (transport(), true, at(Read, 3, 0), 1.0, retry(800, TRANSIENT), Cost::Kept),
            (transport(), true, at(Write, 1, 0), 0.0, fail(WRITE), Cost::Kept),
            (transport(), false, at(Read, 1, 0), 0.0, retry(100, TRANSIENT), Cost::Unsent),
            (transport(), false, at(Write, 1, 0), 0.0, fail(WRITE), Cost::Unsent),
            (timeout(), true, at(Read, 1, 0), 0.0, retry(100, TRANSIENT), Cost::Kept),
            (timeout(), true, at(Write, 1, 0), 0.0, fail(WRITE), Cost::Kept),
            (http(502, None), true, at(Read, 1, 0), 0.0, retry(100, TRANSIENT), Cost::Kept),
            (http(503, Some(3)), true, at(Read, 1, 0), 0.0, retry(3_000, TRANSIENT), Cost::Kept),
            (http(503, Some(3)), true, at(Write, 1, 0), 0.0, fail(WRITE), Cost::Kept),
            (http(408, None), true, at(Read, 1, 0), 0.0, retry(100, TRANSIENT), Cost::Kept),
            (http(404, None), true, at(Read, 1, 0), 0.0, fail(FINAL), Cost::Kept),
            // The API's own answer and undecodable data: final, nothing served.
            (api(), true, at(Read, 1, 0), 0.0, fail(FINAL), Cost::Served(0)),
            (decode_error(), true, at(Read, 1, 0), 0.0, fail(FINAL), Cost::Kept),
            (Error::invalid_request("m", Some("X"), "bad"), false, at(Read, 1, 0), 0.0, fail(FINAL), Cost::Unsent),
        ];
        for (i, (error, reached_server, attempt, jitter, verdict, cost)) in rows.iter().enumerate()
        {
            let outcome = Outcome::Failed {
                error,
                reached_server: *reached_server,
            };
            let got = classify(outcome, *attempt, &policy, *jitter);
            assert_eq!(
                got,
                Decision {
                    verdict: *verdict,
                    cost: *cost
                },
                "row {i}: {error}"
            );
        }
    }

    #[test]
    fn success_settles_the_real_count() {
        let got = classify(
            Outcome::Answered { records: 37 },
            at(Write, 3, 0),
            &RetryPolicy::none(),
            0.0,
        );
        assert_eq!(
            got,
            Decision {
                verdict: Verdict::Success,
                cost: Cost::Served(37)
            }
        );
        assert_eq!(got.verdict.name(), "success");
    }

    #[test]
    fn back_off_is_capped_and_policy_bounds_hold() {
        let policy = RetryPolicy::default()
            .max_attempts(20)
            .max_elapsed(Duration::from_secs(600));
        let got = classify(
            Outcome::Failed {
                error: &transport(),
                reached_server: true,
            },
            at(Read, 15, 0),
            &policy,
            1.0,
        );
        assert_eq!(
            got.verdict,
            retry(5_000, TRANSIENT),
            "capped at max_backoff"
        );
        let none = classify(
            Outcome::Failed {
                error: &refusal(500, None),
                reached_server: true,
            },
            at(Read, 1, 0),
            &RetryPolicy::none(),
            0.0,
        );
        assert_eq!(none.verdict, fail(NO_ATTEMPTS));
        assert_eq!(none.verdict.name(), "fail");
    }
}
