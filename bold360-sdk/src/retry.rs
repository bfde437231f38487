//! When a failed call is sent again.

use std::time::Duration;

use crate::error::Error;

/// Whether a method reads or changes data. Decides which failures are safe to retry: a write
/// that may have reached the server is never sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodKind {
    /// Reads only; any transient failure may be retried.
    Read,
    /// Changes state; only refusals (the server did nothing) are retried.
    Write,
}

impl MethodKind {
    /// The kind of a method known only by its name: every Bold360 method whose name starts
    /// with `get` reads (`getDepartments`), anything else is taken as a write.
    ///
    /// ```
    /// use bold360_sdk::MethodKind;
    /// assert_eq!(MethodKind::from_name("getDepartments"), MethodKind::Read);
    /// assert_eq!(MethodKind::from_name("deleteChat"), MethodKind::Write);
    /// assert_eq!(MethodKind::from_name("getter"), MethodKind::Write);
    /// ```
    pub fn from_name(method: &str) -> Self {
        let reads = method
            .strip_prefix("get")
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase());
        if reads {
            MethodKind::Read
        } else {
            MethodKind::Write
        }
    }
}

/// Bounds on retrying a failed call.
///
/// Refusals (`Too many simultaneous requests`) are retried for every method after the current
/// one-second window, with jitter; transport errors, timeouts and other 5xx only for
/// [`MethodKind::Read`] methods, with exponential backoff and full jitter.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(5).max_elapsed(Duration::from_secs(20));
/// assert_eq!(policy.get_max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().get_max_attempts(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Base of the exponential backoff.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Cap on one backoff.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// No retry starts after this much time has passed since the first attempt.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Attempts in all.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `attempt + 1`, or `None` to give up. `attempt` counts
    /// from 1.
    pub(crate) fn delay(
        &self,
        error: &Error,
        kind: MethodKind,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let safe = error.is_refusal() || (kind == MethodKind::Read && error.is_retryable());
        if !safe {
            return None;
        }
        let delay = if let Some(asked) = error.retry_after() {
            // The server said when: no sooner (and give up if that is past the budget).
            asked
        } else if error.is_refusal() {
            // The server counts in one-second windows: wait one out, then spread the herd.
            Duration::from_millis(1_000 + rand::random_range(0..250))
        } else {
            let exp = self
                .initial_backoff
                .saturating_mul(1u32 << (attempt - 1).min(16))
                .min(self.max_backoff);
            let ms = u64::try_from(exp.as_millis()).unwrap_or(u64::MAX).max(1);
            Duration::from_millis(rand::random_range(ms / 2..=ms))
        };
        (elapsed.saturating_add(delay) <= self.max_elapsed).then_some(delay)
    }
}

/// A shared allowance of retries: each retry spends a token, each success earns a tenth of one
/// back, so a burst of failures stops being retried long before it becomes a retry storm.
/// A `Retry-After` header value: delay-seconds or an HTTP date (RFC 9110), as a wait from
/// `now_millis` (Unix milliseconds). A date in the past is no wait; garbage is `None`.
pub(crate) fn parse_retry_after(value: &str, now_millis: u64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when_ms = u64::try_from(when.timestamp_millis()).unwrap_or(0);
    Some(Duration::from_millis(when_ms.saturating_sub(now_millis)))
}

#[derive(Debug)]
pub(crate) struct RetryBudget {
    /// Tenths of a token, so that earning is exact.
    tenths: std::sync::Mutex<u32>,
}

impl RetryBudget {
    const MAX_TENTHS: u32 = 100;
    const RETRY_TENTHS: u32 = 10;
    const SUCCESS_TENTHS: u32 = 1;

    pub(crate) fn new() -> Self {
        Self {
            tenths: std::sync::Mutex::new(Self::MAX_TENTHS),
        }
    }

    /// Spends a token; false when none is left.
    pub(crate) fn withdraw(&self) -> bool {
        let mut tenths = self.tenths.lock().unwrap_or_else(|e| e.into_inner());
        if *tenths >= Self::RETRY_TENTHS {
            *tenths -= Self::RETRY_TENTHS;
            true
        } else {
            false
        }
    }

    /// Earns a tenth of a token back.
    pub(crate) fn deposit(&self) {
        let mut tenths = self.tenths.lock().unwrap_or_else(|e| e.into_inner());
        *tenths = (*tenths + Self::SUCCESS_TENTHS).min(Self::MAX_TENTHS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal() -> Error {
        Error::TooManyRequests {
            method: "m".into(),
            http_status: 500,
            retry_after: None,
        }
    }

    fn transport() -> Error {
        Error::Transport {
            method: "m".into(),
            message: "reset".into(),
            source: None,
        }
    }

    #[test]
    fn retry_after_sets_the_wait_within_the_budget() {
        assert_eq!(parse_retry_after("2", 0), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", 0),
            Some(Duration::from_secs(120))
        );
        // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480000 ms.
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            parse_retry_after(date, 1_445_412_477_500),
            Some(Duration::from_millis(2_500))
        );
        assert_eq!(
            parse_retry_after(date, 1_445_412_490_000),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-3", 0), None);

        let p = RetryPolicy::default();
        let busy = |status, secs| {
            Error::Http {
                method: "m".into(),
                status,
                snippet: String::new(),
                retry_after: None,
            }
            .with_pacing(status, Some(Duration::from_secs(secs)))
        };
        let e = busy(429, 2);
        assert!(e.is_refusal(), "429 is a refusal");
        assert_eq!(
            p.delay(&e, MethodKind::Write, 1, Duration::ZERO),
            Some(Duration::from_secs(2)),
            "even a write waits exactly as asked"
        );
        let e = busy(503, 3);
        assert_eq!(
            p.delay(&e, MethodKind::Read, 1, Duration::ZERO),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.delay(&e, MethodKind::Write, 1, Duration::ZERO), None);
        assert_eq!(
            p.delay(&busy(503, 60), MethodKind::Read, 1, Duration::ZERO),
            None,
            "a wait past the policy's max_elapsed gives up instead"
        );
        assert_eq!(
            busy(500, 3).retry_after(),
            None,
            "only 429 and 503 carry it"
        );
    }

    #[test]
    fn writes_retry_only_refusals() {
        let p = RetryPolicy::default();
        assert!(p
            .delay(&refusal(), MethodKind::Write, 1, Duration::ZERO)
            .is_some());
        assert!(p
            .delay(&transport(), MethodKind::Write, 1, Duration::ZERO)
            .is_none());
        assert!(p
            .delay(&transport(), MethodKind::Read, 1, Duration::ZERO)
            .is_some());
        let api = Error::Api {
            method: "m".into(),
            status: "error".into(),
            message: "x".into(),
            http_status: 200,
        };
        assert!(p.delay(&api, MethodKind::Read, 1, Duration::ZERO).is_none());
    }

    #[test]
    fn the_budget_runs_out_and_refills_slowly() {
        let budget = RetryBudget::new();
        assert!((0..10).all(|_| budget.withdraw()));
        assert!(!budget.withdraw(), "ten retries in a row spend it");
        (0..9).for_each(|_| budget.deposit());
        assert!(!budget.withdraw(), "nine successes do not earn a retry");
        budget.deposit();
        assert!(budget.withdraw(), "ten do");
    }

    #[test]
    fn attempts_and_time_are_bounded() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .max_elapsed(Duration::from_secs(2));
        assert!(p
            .delay(&transport(), MethodKind::Read, 3, Duration::ZERO)
            .is_none());
        assert!(p
            .delay(
                &refusal(),
                MethodKind::Read,
                1,
                Duration::from_millis(1_900)
            )
            .is_none());
        let d = p
            .delay(&refusal(), MethodKind::Read, 1, Duration::ZERO)
            .unwrap();
        assert!(d >= Duration::from_secs(1) && d < Duration::from_millis(1_250));
        let d = p
            .delay(&transport(), MethodKind::Read, 2, Duration::ZERO)
            .unwrap();
        assert!(
            d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
            "{d:?}"
        );
    }
}
