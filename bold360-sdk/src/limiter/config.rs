//! What a limiter aims for: the account's limits, how closely to approach them, and how to
//! react when someone else spends the same budget.

use std::time::Duration;

/// Limits of an account, and how closely to approach them.
///
/// Admission is by budget, not by a fixed number of requests in flight: requests are paced so
/// that no one-second window the server may count ever holds more than its limit, and as many
/// run at once as the round-trip time needs (100 req/s at 300 ms is 30 in flight).
/// [`max_in_flight`](Self::max_in_flight) is only a safety cap.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::LimiterConfig;
/// let config = LimiterConfig::default().requests_per_second(50).max_in_flight(16);
/// assert_eq!(config.get_requests_per_second(), 50);
/// assert_eq!(config.get_max_in_flight(), 16);
/// ```
#[derive(Debug, Clone)]
pub struct LimiterConfig {
    pub(crate) requests: u64,
    pub(crate) records: u64,
    pub(crate) window: Duration,
    pub(crate) guard: Duration,
    pub(crate) max_in_flight: usize,
    pub(crate) congested_in_flight: usize,
    pub(crate) request_burst: u64,
    pub(crate) record_burst: u64,
    pub(crate) adaptive: bool,
    pub(crate) fallback_share: Option<f64>,
    pub(crate) unlimited: bool,
}

/// Default of [`LimiterConfig::max_in_flight`]: enough for the whole request budget at 600 ms
/// round trips, so only a hung server reaches it.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

impl Default for LimiterConfig {
    /// The documented limits (100 requests and 2,000 records per second), adaptive back-off on,
    /// at most [`DEFAULT_MAX_IN_FLIGHT`] in flight (9 while the account looks congested).
    fn default() -> Self {
        Self {
            requests: 100,
            records: 2000,
            window: Duration::from_secs(1),
            guard: Duration::ZERO,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            congested_in_flight: 9,
            request_burst: 3,
            record_burst: 2000,
            adaptive: true,
            fallback_share: None,
            unlimited: false,
        }
    }
}

impl LimiterConfig {
    /// Requests allowed per window. Default 100.
    pub fn requests_per_second(mut self, requests: u64) -> Self {
        self.requests = requests.max(1);
        self
    }

    /// Records allowed per window. Default 2,000. Records are paced with the whole window as
    /// their burst: pages are large and few, and the sliding window already keeps every
    /// second inside the limit, so an idle account's first two pages go at once.
    pub fn records_per_second(mut self, records: u64) -> Self {
        self.records = records.max(1);
        self.record_burst = self.records;
        self
    }

    /// The length of the server's counting window. Default one second.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window.max(Duration::from_millis(1));
        self
    }

    /// A safety cap on requests in flight at once. Default [`DEFAULT_MAX_IN_FLIGHT`]; pacing,
    /// not this cap, is what keeps the account inside its limits.
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// Requests in flight at once while the account looks congested (the server refused a
    /// request or made one wait). Default 9: the server refuses a tenth waiting request.
    pub fn congested_in_flight(mut self, max: usize) -> Self {
        self.congested_in_flight = max.max(1);
        self
    }

    /// Extra time added to each window. Default 0: the sliding window already keeps every
    /// second of the client's own clock inside the limits, and a request that network jitter
    /// carries into a second the server finds full is only held, for as long as that jitter
    /// (the server refuses only a tenth request waiting at once). A guard removes such holds
    /// only where jitter is below it, and costs its share of the whole budget every second
    /// (20 ms is 2 %).
    ///
    /// ```
    /// use std::time::Duration;
    /// let careful = bold360_sdk::LimiterConfig::default().guard(Duration::from_millis(20));
    /// # let _ = careful;
    /// ```
    pub fn guard(mut self, guard: Duration) -> Self {
        self.guard = guard;
        self
    }

    /// Requests that may run ahead of the even spacing. Default 3.
    pub fn request_burst(mut self, burst: u64) -> Self {
        self.request_burst = burst.max(1);
        self
    }

    /// Adaptive back-off (on by default): when a response is much slower than usual for its
    /// method, or the server refuses a request, someone else is spending the account's budget;
    /// the limiter then caps requests in flight at
    /// [`congested_in_flight`](Self::congested_in_flight), cuts its rate by a fifth, and
    /// wins it back gradually (5 % of the budget per second) while responses are fast.
    pub fn adaptive(mut self, on: bool) -> Self {
        self.adaptive = on;
        self
    }

    /// For a shared limiter ([`RateLimiter::shared`](crate::RateLimiter::shared)): when the
    /// shared store cannot be reached, go on with a local limiter at this share of the budget
    /// (say `0.25` when four processes share the account) instead of failing the call. Off by
    /// default. The switch is logged once per outage.
    pub fn fallback_share(mut self, share: f64) -> Self {
        self.fallback_share = Some(if share.is_finite() {
            share.clamp(0.01, 1.0)
        } else {
            1.0
        });
        self
    }

    /// No limiting at all (counters still count). For comparison and for servers without limits.
    pub fn unlimited() -> Self {
        Self {
            unlimited: true,
            ..Self::default()
        }
    }

    /// The requests-per-window limit.
    pub fn get_requests_per_second(&self) -> u64 {
        self.requests
    }

    /// The records-per-window limit.
    ///
    /// ```
    /// assert_eq!(bold360_sdk::LimiterConfig::default().get_records_per_second(), 2000);
    /// ```
    pub fn get_records_per_second(&self) -> u64 {
        self.records
    }

    /// The safety cap on requests in flight.
    pub fn get_max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// The window plus the guard: the span a budget is counted over.
    pub(crate) fn span(&self) -> Duration {
        self.window + self.guard
    }

    /// This config at `share` of its budget (for a fallback limiter).
    #[cfg(feature = "redis")]
    pub(crate) fn scaled(&self, share: f64) -> Self {
        let scale = |n: u64| share_of(n, share);
        Self {
            requests: scale(self.requests),
            records: scale(self.records),
            record_burst: scale(self.record_burst).min(scale(self.records)),
            ..self.clone()
        }
    }
}

/// Scales a limit to a share of it, never below one.
pub(crate) fn share_of(limit: u64, share: f64) -> u64 {
    if share >= 1.0 {
        limit
    } else {
        ((limit as f64 * share).floor() as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_of_never_reaches_zero() {
        assert_eq!(share_of(100, 1.0), 100);
        assert_eq!(share_of(100, 0.8), 80);
        assert_eq!(share_of(3, 0.2), 1);
    }
}
