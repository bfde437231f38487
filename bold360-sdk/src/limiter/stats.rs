//! What a limiter counts, for monitoring: one list of counters, from which both the public
//! snapshot ([`LimiterStats`]) and the live atomic counters are made.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Declares every counter once: the public snapshot's fields, the atomic counters and the
/// snapshot function come from this one list.
macro_rules! counters {
    ($( $(#[$doc:meta])* $name:ident, )*) => {
        /// Counters of a limiter, for monitoring.
        ///
        /// ```
        /// use bold360_sdk::RateLimiter;
        /// let stats = RateLimiter::default().stats();
        /// assert_eq!(stats.acquired, 0);
        /// assert!(stats.wait_time.is_zero());
        /// ```
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct LimiterStats {
            $( $(#[$doc])* pub $name: u64, )*
            /// Total time calls spent waiting for budget.
            pub wait_time: Duration,
        }

        /// The live counters behind [`LimiterStats`].
        #[derive(Debug, Default)]
        pub(crate) struct Counters {
            $( pub(crate) $name: AtomicU64, )*
            wait_nanos: AtomicU64,
        }

        impl Counters {
            /// The counters now.
            pub(crate) fn snapshot(&self) -> LimiterStats {
                LimiterStats {
                    $( $name: self.$name.load(Ordering::Relaxed), )*
                    wait_time: Duration::from_nanos(self.wait_nanos.load(Ordering::Relaxed)),
                }
            }
        }
    };
}

counters! {
    /// Calls admitted.
    acquired,
    /// Calls that had to wait for budget.
    waited,
    /// Retries made by clients using this limiter.
    retries,
    /// Refusals (`Too many simultaneous requests`) they received.
    refusals,
    /// Retries not made because the retry budget was spent.
    retries_denied,
    /// Responses much slower than their method's baseline (the server probably held them).
    slow_responses,
    /// Times the adaptive back-off cut the share of the budget in use.
    backoffs,
    /// Admissions given back because their request never reached the server.
    released,
}

impl Counters {
    /// Adds one to `counter`.
    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A call that waited `waited` for its budget.
    pub(crate) fn count_wait(&self, waited: Duration) {
        Self::count(&self.waited);
        let nanos = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
        self.wait_nanos.fetch_add(nanos, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_reaches_the_snapshot() {
        let c = Counters::default();
        for (i, counter) in [
            &c.acquired,
            &c.retries,
            &c.refusals,
            &c.retries_denied,
            &c.slow_responses,
            &c.backoffs,
            &c.released,
        ]
        .into_iter()
        .enumerate()
        {
            for _ in 0..=i {
                Counters::count(counter);
            }
        }
        c.count_wait(Duration::from_millis(3));
        c.count_wait(Duration::from_millis(4));
        let s = c.snapshot();
        assert_eq!(
            (s.acquired, s.retries, s.refusals, s.retries_denied),
            (1, 2, 3, 4)
        );
        assert_eq!((s.slow_responses, s.backoffs, s.released), (5, 6, 7));
        assert_eq!(s.waited, 2);
        assert_eq!(s.wait_time, Duration::from_millis(7));
    }

    #[test]
    fn a_wait_longer_than_u64_nanos_saturates() {
        let c = Counters::default();
        c.count_wait(Duration::MAX);
        assert_eq!(c.snapshot().wait_time, Duration::from_nanos(u64::MAX));
    }
}
