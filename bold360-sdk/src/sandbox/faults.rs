//! Faults the sandbox can be told to produce, for reliability tests.

use std::collections::VecDeque;
use std::time::Duration;

/// A way for the sandbox to misbehave on a request.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use bold360_sdk::sandbox::{Fault, Sandbox};
/// let sandbox = Sandbox::start().await?;
/// sandbox.inject_fault(Some("getOperators"), Fault::http(502, "<html>Bad gateway</html>"), 1);
/// let client = sandbox.client_builder().retry_policy(bold360_sdk::RetryPolicy::none()).build()?;
/// let err = client.call_raw("getOperators", bold360_sdk::Params::new()).await.unwrap_err();
/// assert!(matches!(err, bold360_sdk::Error::Http { status: 502, .. }));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally.
    Latency(Duration),
    /// Answer with this HTTP status and raw body instead of the real answer.
    Http {
        /// The status code.
        status: u16,
        /// The body, sent as is.
        body: String,
    },
    /// Answer HTTP 200 with this raw body (malformed or truncated JSON, say).
    Body(String),
    /// Answer as a busy gateway would: this status (429 or 503, say) with a `Retry-After`
    /// header holding `retry_after` as sent (seconds or an HTTP date).
    Busy {
        /// The status code.
        status: u16,
        /// The `Retry-After` value.
        retry_after: String,
    },
    /// Send the headers and part of the body, then drop the connection.
    ResetConnection,
    /// Send the real answer in small pieces spread over this long.
    SlowBody(Duration),
}

impl Fault {
    /// An HTTP status with a body.
    pub fn http(status: u16, body: impl Into<String>) -> Self {
        Fault::Http {
            status,
            body: body.into(),
        }
    }

    /// The service's refusal: HTTP 500 `Too many simultaneous requests`.
    pub fn refusal() -> Self {
        Fault::http(500, "500 Too many simultaneous requests")
    }
}

#[derive(Debug)]
struct Rule {
    method: Option<String>,
    fault: Fault,
    remaining: usize,
}

/// The queue of injected faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: VecDeque<Rule>,
}

impl Faults {
    pub(crate) fn push(&mut self, method: Option<&str>, fault: Fault, times: usize) {
        if times > 0 {
            self.rules.push_back(Rule {
                method: method.map(str::to_owned),
                fault,
                remaining: times,
            });
        }
    }

    /// The fault for a request to `method`, if a rule applies; uses one of its turns.
    pub(crate) fn take(&mut self, method: &str) -> Option<Fault> {
        let at = self
            .rules
            .iter()
            .position(|r| r.method.as_deref().is_none_or(|m| m == method))?;
        let rule = &mut self.rules[at];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.rules.remove(at);
        }
        Some(fault)
    }
}
