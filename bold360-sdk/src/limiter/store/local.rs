//! The budget of one process: a sliding window per dimension (requests, records) over the
//! server's window plus a guard, and GCRA pacing on top. Admission is a pure decision at an
//! instant, so it is tested on a paused clock.

use tokio::time::Instant;

use crate::limiter::config::{share_of, LimiterConfig};
use crate::limiter::gcra::Gcra;
use crate::limiter::window::SlidingWindow;

#[derive(Debug)]
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
    /// limiter clamps it) at `share` of the budget, or says when to look again.
    pub(crate) fn try_admit(
        &mut self,
        now: Instant,
        records: u64,
        share: f64,
    ) -> Result<u64, Instant> {
        let at = self
            .requests
            .earliest_within(now, 1, share_of(self.request_limit, share))
            .max(
                self.records
                    .earliest_within(now, records, share_of(self.record_limit, share)),
            )
            .max(self.request_pace.earliest(now, 1, share))
            .max(self.record_pace.earliest(now, records, share));
        if at > now {
            return Err(at);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.requests.reserve(id, now, 1);
        self.records.reserve(id, now, records);
        self.request_pace.reserve(now, 1, share);
        self.record_pace.reserve(now, records, share);
        Ok(id)
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
        let first = b.try_admit(t0, 1, 1.0).unwrap();
        b.try_admit(t0, 1, 1.0).unwrap();
        assert!(b.try_admit(t0, 1, 1.0).is_err(), "two per second");
        b.release(t0, first, 1);
        assert!(
            b.try_admit(t0, 1, 1.0).is_ok(),
            "the released place is free again"
        );
    }

    #[test]
    fn every_admission_has_its_own_id_so_a_refund_finds_its_own_reservation() {
        let t0 = Instant::now();
        let mut b = LocalBudget::new(&LimiterConfig::default().guard(Duration::ZERO));
        let ids: Vec<u64> = (0..3).map(|_| b.try_admit(t0, 1, 1.0).unwrap()).collect();
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
        let first = b.try_admit(t0, 10, 1.0).unwrap();
        let second = b.try_admit(ms(500), 10, 1.0).unwrap();
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
    fn a_share_admits_proportionally_fewer() {
        let t0 = Instant::now();
        let mut b = LocalBudget::new(
            &LimiterConfig::default()
                .guard(Duration::ZERO)
                .request_burst(100),
        );
        let admitted = (0..100).filter(|_| b.try_admit(t0, 0, 0.5).is_ok()).count();
        assert_eq!(admitted, 50);
    }
}
