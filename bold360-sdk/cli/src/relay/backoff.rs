//! When a failed delivery is tried again: exponential backoff with full jitter between half
//! and all of the step, at least what the receiver's `Retry-After` asks, never longer than
//! `--max-retry-delay`.

use std::time::Duration;

/// The retry schedule.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The first wait (doubled after each failure).
    pub initial: Duration,
    /// No wait is longer.
    pub max: Duration,
}

impl Backoff {
    /// The wait after `attempts` failed attempts (1 = the first failed), given the receiver's
    /// `Retry-After` if any, and a random `jitter` in [0, 1).
    pub fn delay(&self, attempts: i64, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let step = self
            .initial
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max);
        let jittered = step.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        jittered.max(retry_after.unwrap_or_default()).min(self.max)
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = bold360_sdk::chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&bold360_sdk::chrono::Utc) - bold360_sdk::chrono::Utc::now();
    wait.to_std().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_within_the_cap() {
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        assert_eq!(b.delay(1, None, 1.0), Duration::from_secs(1));
        assert_eq!(b.delay(1, None, 0.0), Duration::from_millis(500));
        assert_eq!(b.delay(4, None, 1.0), Duration::from_secs(8));
        assert_eq!(b.delay(30, None, 1.0), Duration::from_secs(60));
        assert_eq!(b.delay(i64::MAX, None, 0.0), Duration::from_secs(30));
        // Retry-After is honoured, within the cap.
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(20)), 1.0),
            Duration::from_secs(20)
        );
        assert_eq!(
            b.delay(1, Some(Duration::from_secs(600)), 1.0),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn the_default_schedule_outlasts_an_hour_of_downtime() {
        // The relay's defaults: 1 s doubling to 300 s, 40 attempts; the least jitter.
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(300),
        };
        let least: Duration = (1..40).map(|n| b.delay(n, None, 0.0)).sum();
        assert!(least >= Duration::from_secs(3600), "{least:?}");
        assert!(
            least >= Duration::from_secs(4700),
            "{least:?}: the docs say 1.3 hours"
        );
    }

    #[test]
    fn reads_retry_after_in_both_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            None,
            "in the past"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
