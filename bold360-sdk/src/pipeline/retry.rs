//! When a failed call is sent again.

use std::time::Duration;

/// Bounds on retrying a failed call.
///
/// Refusals (`Too many simultaneous requests`) are retried for every method after the current
/// one-second window, with jitter; transport errors, timeouts and other 5xx only for
/// [`MethodKind::Read`](crate::method::kind::MethodKind::Read) methods, with exponential backoff and full jitter.
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
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_elapsed: Duration,
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
}

/// A shared allowance of retries: each retry spends a token, each success earns a tenth of one
/// back, so a burst of failures stops being retried long before it becomes a retry storm.
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
}
