//! Pacing with the generic cell rate algorithm: units are spread evenly at `rate`, with at most
//! `burst` units ahead of schedule, so traffic is smooth instead of bunched at window edges.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct Gcra {
    /// Time one unit takes at the target rate.
    interval: Duration,
    /// How many units may run ahead of schedule.
    burst: u64,
    /// Theoretical arrival time: when the schedule is free again.
    tat: Option<Instant>,
}

impl Gcra {
    pub(crate) fn new(units: u64, per: Duration, burst: u64) -> Self {
        Self {
            interval: per / u32::try_from(units.max(1)).unwrap_or(u32::MAX),
            burst: burst.max(1),
            tat: None,
        }
    }

    /// Time `units` take at `share` (0 < share <= 1) of the target rate.
    pub(crate) fn cost(&self, units: u64, share: f64) -> Duration {
        let full = self.interval * u32::try_from(units).unwrap_or(u32::MAX);
        if share >= 1.0 {
            full
        } else {
            full.div_f64(share.max(0.01))
        }
    }

    /// The earliest time `units` may go at `share` of the rate. More than the burst goes once
    /// the schedule is free.
    pub(crate) fn earliest(&self, now: Instant, units: u64, share: f64) -> Instant {
        let Some(tat) = self.tat else { return now };
        let allowance = self.cost(self.burst.saturating_sub(units.min(self.burst)), share);
        let at = tat.checked_sub(allowance).unwrap_or(now);
        at.max(now)
    }

    /// Units that may go at `now` at `share` of the rate.
    pub(crate) fn free(&self, now: Instant, share: f64) -> u64 {
        let Some(tat) = self.tat else {
            return self.burst;
        };
        let free = (now + self.cost(self.burst, share)).saturating_duration_since(tat);
        let one = self.cost(1, share).as_nanos().max(1);
        u64::try_from(free.as_nanos() / one).unwrap_or(u64::MAX)
    }

    /// Takes `units` at `at`.
    pub(crate) fn reserve(&mut self, at: Instant, units: u64, share: f64) {
        let start = self.tat.map_or(at, |tat| tat.max(at));
        self.tat = Some(start + self.cost(units, share));
    }

    /// Gives back (or takes more of) the schedule after the real count is known.
    pub(crate) fn adjust(&mut self, now: Instant, reserved: u64, actual: u64, share: f64) {
        let Some(tat) = self.tat else { return };
        self.tat = Some(if actual >= reserved {
            tat.max(now) + self.cost(actual - reserved, share)
        } else {
            tat.checked_sub(self.cost(reserved - actual, share))
                .unwrap_or(now)
                .max(now)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_and_burst() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = Gcra::new(100, Duration::from_secs(1), 2);
        g.reserve(t0, 1, 1.0);
        assert_eq!(g.earliest(t0, 1, 1.0), t0, "a burst of two may go together");
        g.reserve(t0, 1, 1.0);
        assert_eq!(g.earliest(t0, 1, 1.0), ms(10), "then one every 10 ms");
        g.reserve(ms(10), 1, 1.0);
        assert_eq!(g.earliest(ms(10), 1, 1.0), ms(20));
        g.adjust(ms(10), 1, 0, 1.0);
        assert_eq!(
            g.earliest(ms(10), 1, 1.0),
            ms(10),
            "a refund moves the schedule back"
        );
    }

    #[test]
    fn free_is_the_burst_less_what_runs_ahead() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = Gcra::new(2000, Duration::from_secs(1), 2000);
        assert_eq!(g.free(t0, 1.0), 2000);
        g.reserve(t0, 1500, 1.0);
        assert_eq!(g.free(t0, 1.0), 500);
        assert_eq!(g.free(ms(100), 1.0), 700);
        assert_eq!(g.cost(500, 1.0), ms(250) - t0);
        let mut half = Gcra::new(2000, Duration::from_secs(1), 2000);
        half.reserve(t0, 1500, 0.5);
        assert_eq!(half.free(t0, 0.5), 500);
        assert_eq!(
            half.free(ms(100), 0.5),
            600,
            "at half the rate, time frees half as many"
        );
    }

    #[test]
    fn large_reservations_take_their_share_of_time() {
        let t0 = Instant::now();
        let mut g = Gcra::new(2000, Duration::from_secs(1), 1000);
        g.reserve(t0, 1000, 1.0);
        assert_eq!(g.earliest(t0, 1000, 1.0), t0 + Duration::from_millis(500));
        g.adjust(t0, 1000, 200, 1.0);
        assert_eq!(g.earliest(t0, 1000, 1.0), t0 + Duration::from_millis(100));
    }

    #[test]
    fn more_units_than_reserved_push_the_schedule_later() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut g = Gcra::new(100, Duration::from_secs(1), 1);
        g.reserve(t0, 1, 1.0);
        assert_eq!(g.earliest(t0, 1, 1.0), ms(10));
        g.adjust(t0, 1, 3, 1.0);
        assert_eq!(
            g.earliest(t0, 1, 1.0),
            ms(30),
            "two more units: 20 ms later"
        );
        // Charged after the schedule ran dry: from now, not from the old schedule.
        g.adjust(ms(50), 1, 2, 1.0);
        assert_eq!(g.earliest(ms(50), 1, 1.0), ms(60));
        // Exactly what was reserved changes nothing.
        g.adjust(ms(50), 4, 4, 1.0);
        assert_eq!(g.earliest(ms(50), 1, 1.0), ms(60));
    }

    #[test]
    fn adjusting_an_empty_schedule_changes_nothing() {
        let t0 = Instant::now();
        let mut g = Gcra::new(100, Duration::from_secs(1), 1);
        g.adjust(t0, 1, 5, 1.0);
        assert_eq!(g.earliest(t0, 1, 1.0), t0);
    }

    #[test]
    fn a_share_of_the_rate_spaces_units_further_apart() {
        let t0 = Instant::now();
        let mut g = Gcra::new(100, Duration::from_secs(1), 1);
        g.reserve(t0, 1, 0.5);
        assert_eq!(g.earliest(t0, 1, 0.5), t0 + Duration::from_millis(20));
        g.adjust(t0, 1, 0, 0.5);
        assert_eq!(
            g.earliest(t0, 1, 0.5),
            t0,
            "the refund takes back the longer slot"
        );
    }
}
