//! The budget of one process: a sliding window per dimension (requests, records) over the
//! server's window plus a guard, and GCRA pacing on top. Admission is a pure decision at an
//! instant, so it is tested on a paused clock.

use std::time::Duration;

use tokio::time::Instant;

use crate::limiter::config::{share_of, LimiterConfig};
use crate::limiter::gcra::Gcra;
use crate::limiter::window::SlidingWindow;

/// When a call may be admitted with fewer records than it asked for: at least `min`, and only
/// while the whole count would wait at least `round_trip` (the method's usual one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fewer {
    pub(crate) min: u64,
    pub(crate) round_trip: Duration,
}

#[derive(Debug, Clone)]
pub(crate) struct LocalBudget {
    requests: SlidingWindow,
    records: SlidingWindow,
    request_pace: Gcra,
    record_pace: Gcra,
    request_limit: u64,
    record_limit: u64,
    next_id: u64,
}

impl LocalBudget {
    pub(crate) fn new(config: &LimiterConfig) -> Self {
        let span = config.span();
        Self {
            requests: SlidingWindow::new(config.requests, span),
            records: SlidingWindow::new(config.records, span),
            request_pace: Gcra::new(config.requests, span, config.request_burst),
            record_pace: Gcra::new(config.records, span, config.record_burst),
            request_limit: config.requests,
            record_limit: config.records,
            next_id: 0,
        }
    }

    /// Admits one request expecting `records` records (at most one window's budget: the
    /// limiter clamps it) at `share` of the budget, or says when to look again. With `fewer`,
    /// a request that must wait for all of them may go now with fewer (see [`Fewer`]). Gives
    /// the admission's id and the records it holds.
    pub(crate) fn try_admit(
        &mut self,
        now: Instant,
        records: u64,
        fewer: Option<Fewer>,
        share: f64,
    ) -> Result<(u64, u64), Instant> {
        let at = self.earliest(now, records, share);
        let granted = if at <= now {
            records
        } else {
            let Some(fewer) = fewer else {
                return Err(at);
            };
            match self.room(now, at, records, fewer, share) {
                n if n >= fewer.min => n,
                // Room for fewer may open before `at`, when a reservation leaves the window.
                _ => return Err(self.records.next_leave(now).map_or(at, |t| t.min(at))),
            }
        };
        let id = self.next_id;
        self.next_id += 1;
        self.reserve(id, now, granted, share);
        Ok((id, granted))
    }

    /// The earliest time one request for `records` fits.
    fn earliest(&mut self, now: Instant, records: u64, share: f64) -> Instant {
        self.requests
            .earliest_within(now, 1, share_of(self.request_limit, share))
            .max(
                self.records
                    .earliest_within(now, records, share_of(self.record_limit, share)),
            )
            .max(self.request_pace.earliest(now, 1, share))
            .max(self.record_pace.earliest(now, records, share))
    }

    fn reserve(&mut self, id: u64, now: Instant, records: u64, share: f64) {
        self.requests.reserve(id, now, 1);
        self.records.reserve(id, now, records);
        self.request_pace.reserve(now, 1, share);
        self.record_pace.reserve(now, records, share);
    }

    /// Records a smaller request may take at `now` while the whole `records` would wait till
    /// `later`: what is free now (at least `fewer.min`, and a place in the request budget),
    /// when the wait is at least a round trip (a smaller page answered after the whole one
    /// could have gone costs more than it brings), and when it postpones the whole count by
    /// less than the time its own records take at the full rate (so it adds records instead of
    /// moving them). 0 otherwise.
    fn room(
        &mut self,
        now: Instant,
        later: Instant,
        records: u64,
        fewer: Fewer,
        share: f64,
    ) -> u64 {
        let request_limit = share_of(self.request_limit, share);
        if later.saturating_duration_since(now) < fewer.round_trip
            || self.requests.earliest_within(now, 1, request_limit) > now
            || self.request_pace.earliest(now, 1, share) > now
        {
            return 0;
        }
        let n = self
            .records
            .free(now, share_of(self.record_limit, share))
            .min(self.record_pace.free(now, share))
            .min(records.saturating_sub(1));
        if n < fewer.min {
            return 0;
        }
        let mut trial = self.clone();
        trial.reserve(u64::MAX, now, n, share);
        let postponed = trial
            .earliest(now, records, share)
            .saturating_duration_since(later);
        if postponed < self.record_pace.cost(n, share) {
            n
        } else {
            0
        }
    }

    /// Replaces a reservation of `reserved` records with the real count.
    pub(crate) fn settle(&mut self, now: Instant, id: u64, reserved: u64, actual: u64) {
        self.records.settle(id, actual);
        self.record_pace.adjust(now, reserved, actual, 1.0);
    }

    /// Gives back a request that never reached the server, and its records.
    pub(crate) fn release(&mut self, now: Instant, id: u64, reserved: u64) {
        self.settle(now, id, reserved, 0);
        self.requests.settle(id, 0);
        self.request_pace.adjust(now, 1, 0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_released_request_frees_its_place_at_once() {
        let t0 = Instant::now();
        let mut b = LocalBudget::new(
            &LimiterConfig::default()
                .guard(Duration::ZERO)
                .requests_per_second(2)
                .request_burst(2),
        );
        let (first, _) = b.try_admit(t0, 1, None, 1.0).unwrap();
        b.try_admit(t0, 1, None, 1.0).unwrap();
        assert!(b.try_admit(t0, 1, None, 1.0).is_err(), "two per second");
        b.release(t0, first, 1);
        assert!(
            b.try_admit(t0, 1, None, 1.0).is_ok(),
            "the released place is free again"
        );
    }

    #[test]
    fn every_admission_has_its_own_id_so_a_refund_finds_its_own_reservation() {
        let t0 = Instant::now();
        let mut b = LocalBudget::new(&LimiterConfig::default().guard(Duration::ZERO));
        let ids: Vec<u64> = (0..3)
            .map(|_| b.try_admit(t0, 1, None, 1.0).unwrap().0)
            .collect();
        assert_eq!(ids, [0, 1, 2]);
    }

    #[test]
    fn a_refund_lands_on_its_own_reservation() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let config = LimiterConfig::default()
            .guard(Duration::ZERO)
            .records_per_second(20)
            .requests_per_second(100);
        let mut b = LocalBudget::new(&config);
        let (first, _) = b.try_admit(t0, 10, None, 1.0).unwrap();
        let (second, _) = b.try_admit(ms(500), 10, None, 1.0).unwrap();
        b.settle(ms(500), second, 10, 0);
        // The first reservation's 10 records stay until it leaves the window at 1 s; the
        // second's were given back. Had the refund landed on the first, the window would hold
        // the second's 10 until 1.5 s.
        let mut window = crate::limiter::window::SlidingWindow::new(20, Duration::from_secs(1));
        window.reserve(first, t0, 10);
        assert_eq!(
            b.records.earliest(ms(600), 20),
            window.earliest(ms(600), 20)
        );
        assert_eq!(b.records.earliest(ms(600), 20), ms(1000));
    }

    #[test]
    fn fewer_records_only_when_the_wait_is_a_round_trip_and_a_request_fits() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let config = LimiterConfig::default().guard(Duration::ZERO);
        let fewer = |rtt| {
            Some(Fewer {
                min: 100,
                round_trip: Duration::from_millis(rtt),
            })
        };
        let mut b = LocalBudget::new(&config);
        let (_, n) = b.try_admit(t0, 1000, fewer(150), 1.0).unwrap();
        assert_eq!(n, 1000, "room for all: all");
        let (short, _) = b.try_admit(ms(500), 1000, fewer(150), 1.0).unwrap();
        b.settle(ms(650), short, 1000, 193);
        // A full page waits till 1,000 ms (350 ms from now).
        assert_eq!(b.try_admit(ms(650), 1000, None, 1.0), Err(ms(1000)));
        assert_eq!(
            b.try_admit(ms(650), 1000, fewer(400), 1.0),
            Err(ms(1000)),
            "the wait is shorter than a round trip"
        );
        assert_eq!(
            b.try_admit(ms(650), 1000, fewer(150), 1.0).map(|(_, n)| n),
            Ok(807)
        );
        assert_eq!(
            b.try_admit(ms(1000), 1000, None, 1.0).map(|(_, n)| n),
            Ok(1000),
            "the full page is on time"
        );
        // Below the minimum: wait, and look again when a reservation leaves.
        let mut b = LocalBudget::new(&config);
        b.try_admit(t0, 950, None, 1.0).unwrap();
        b.try_admit(ms(300), 1000, None, 1.0).unwrap();
        assert_eq!(
            b.try_admit(ms(300), 1000, fewer(150), 1.0),
            Err(ms(1000)),
            "50 < 100"
        );
        let mut b = LocalBudget::new(&config);
        b.try_admit(t0, 500, None, 1.0).unwrap();
        b.try_admit(ms(100), 500, None, 1.0).unwrap();
        b.try_admit(ms(200), 950, None, 1.0).unwrap();
        assert_eq!(
            b.try_admit(ms(300), 1000, fewer(150), 1.0),
            Err(ms(1000)),
            "50 free: look again when the first 500 leave"
        );
        assert_eq!(
            b.try_admit(ms(1000), 1000, fewer(50), 1.0).map(|(_, n)| n),
            Ok(550),
            "then 550 are free; the full page would wait 100 ms (a 50 ms round trip)"
        );
        // Requests: a smaller call needs a place in the request budget too.
        let tight = config.clone().requests_per_second(2).request_burst(2);
        let mut b = LocalBudget::new(&tight);
        b.try_admit(t0, 1000, None, 1.0).unwrap();
        b.try_admit(t0, 900, None, 1.0).unwrap();
        assert_eq!(
            b.try_admit(ms(200), 1000, fewer(150), 1.0),
            Err(ms(1000)),
            "100 records are free, but no request is"
        );
        // A smaller page that would postpone the whole one by as long as its own records take
        // waits.
        let mut b = LocalBudget::new(&config);
        b.try_admit(t0, 900, None, 1.0).unwrap();
        b.try_admit(ms(100), 1000, None, 1.0).unwrap();
        assert_eq!(
            b.try_admit(ms(200), 1000, fewer(150), 1.0),
            Err(ms(1000)),
            "100 free now would hold the full page from 1,000 ms to 1,100 ms"
        );
    }

    #[test]
    fn a_share_admits_proportionally_fewer() {
        let t0 = Instant::now();
        let mut b = LocalBudget::new(
            &LimiterConfig::default()
                .guard(Duration::ZERO)
                .request_burst(100),
        );
        let admitted = (0..100)
            .filter(|_| b.try_admit(t0, 0, None, 0.5).is_ok())
            .count();
        assert_eq!(admitted, 50);
    }
}
