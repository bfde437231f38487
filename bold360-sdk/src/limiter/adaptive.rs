//! Adaptive back-off (AIMD): the client cannot see the server's queue, so it infers it. A
//! response much slower than its method's baseline, or a refusal, means the account's budget is
//! being spent elsewhere (another process, another tool): cut the share of the budget this
//! limiter uses multiplicatively, and win it back additively over time, as TCP and the AWS
//! SDK's adaptive retry mode do. While the account looks congested, the caller also caps the
//! requests in flight (the server refuses a tenth waiting request).
//!
//! Pure state over explicit instants, so it is tested without a clock.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Share kept at a cut.
const DECREASE: f64 = 0.8;
/// Share won back per second without a cut.
const INCREASE_PER_SECOND: f64 = 0.05;
/// The lowest share: never stop entirely.
const FLOOR: f64 = 0.2;
/// A response is slow when it takes longer than `baseline * SLOW_RATIO + SLOW_MARGIN`.
const SLOW_RATIO: f64 = 1.25;
const SLOW_MARGIN: Duration = Duration::from_millis(40);
/// Slow responses within one window that make a congestion signal. The server holds every
/// request that arrives after its window's budget is spent, so a real queue slows several
/// responses at once; one slow response alone is network jitter. (Refusals need no quorum.)
const SLOW_QUORUM: usize = 3;
/// After this many slow responses in a row for one method, its baseline has moved (a slower
/// network path, not a queue): take the fastest of them as the new baseline.
const REBASE_AFTER: u32 = 32;

#[derive(Debug, Default)]
struct Baseline {
    usual: Option<Duration>,
    slow_streak: u32,
    streak_fastest: Option<Duration>,
}

impl Baseline {
    /// Takes a sample; `true` when it is slow against the baseline before it.
    fn observe(&mut self, sample: Duration) -> bool {
        let Some(usual) = self.usual else {
            self.usual = Some(sample);
            return false;
        };
        let slow = sample > usual.mul_f64(SLOW_RATIO) + SLOW_MARGIN;
        if slow {
            self.slow_streak += 1;
            let fastest = self.streak_fastest.map_or(sample, |f| f.min(sample));
            self.streak_fastest = Some(fastest);
            if self.slow_streak >= REBASE_AFTER {
                self.usual = Some(fastest);
                self.slow_streak = 0;
                self.streak_fastest = None;
            }
        } else {
            self.slow_streak = 0;
            self.streak_fastest = None;
            // Follow the fastest quickly and drift up slowly.
            self.usual = Some(if sample < usual {
                sample
            } else {
                usual + (sample - usual) / 16
            });
        }
        slow
    }
}

/// The back-off state of one limiter.
#[derive(Debug)]
pub(crate) struct Aimd {
    enabled: bool,
    /// How long a cut holds off the next one, and how long the account counts as congested
    /// after a signal: one counting window.
    window: Duration,
    cut_to: f64,
    cut_at: Option<Instant>,
    congested_until: Option<Instant>,
    baselines: HashMap<Box<str>, Baseline>,
    /// When the recent slow responses came, oldest first (at most a window's worth).
    recent_slow: std::collections::VecDeque<Instant>,
}

/// What an observation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Nothing unusual.
    Calm,
    /// A slow response, not yet enough of them to say the account is congested.
    Slow,
    /// A congestion signal that cut the share.
    Cut,
    /// A congestion signal within a window of the last cut: no second cut.
    Congested,
}

impl Aimd {
    pub(crate) fn new(enabled: bool, window: Duration) -> Self {
        Self {
            enabled,
            window,
            cut_to: 1.0,
            cut_at: None,
            congested_until: None,
            baselines: HashMap::new(),
            recent_slow: std::collections::VecDeque::new(),
        }
    }

    /// The share of the budget to use at `now`, in `FLOOR..=1`.
    pub(crate) fn share(&self, now: Instant) -> f64 {
        match self.cut_at {
            None => 1.0,
            Some(at) => {
                let regained =
                    now.saturating_duration_since(at).as_secs_f64() * INCREASE_PER_SECOND;
                (self.cut_to + regained).min(1.0)
            }
        }
    }

    /// When the congestion ends, if a congestion signal came within the last window (and the
    /// cap on requests in flight applies).
    pub(crate) fn congested_until(&self, now: Instant) -> Option<Instant> {
        self.congested_until.filter(|until| now < *until)
    }

    /// A response of `method` that took `round_trip` (send to headers): `Slow` when it was
    /// slow but not (yet) part of a quorum.
    /// The baseline is kept even with the back-off off (admission uses it, see
    /// [`usual`](Self::usual)).
    pub(crate) fn observe(&mut self, now: Instant, method: &str, round_trip: Duration) -> Signal {
        let slow = match self.baselines.get_mut(method) {
            Some(baseline) => baseline.observe(round_trip),
            None => {
                let mut baseline = Baseline::default();
                baseline.observe(round_trip);
                self.baselines.insert(method.into(), baseline);
                false
            }
        };
        if !slow || !self.enabled {
            return Signal::Calm;
        }
        while self
            .recent_slow
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= self.window)
        {
            self.recent_slow.pop_front();
        }
        self.recent_slow.push_back(now);
        if self.recent_slow.len() >= SLOW_QUORUM {
            self.congestion(now)
        } else {
            Signal::Slow
        }
    }

    /// Like [`observe`](Self::observe), for a page: a call with more records than its even
    /// share of the request budget, so our own pages are what fill the record budget. The
    /// server counts a page's records when it answers, so a page sent the moment our own
    /// records leave the window can find the server's second still full and be held until it
    /// turns: at most one more round trip, caused by nobody else. Such a response is neither
    /// slow nor a sample of the network; only a longer one is.
    pub(crate) fn observe_page(
        &mut self,
        now: Instant,
        method: &str,
        round_trip: Duration,
    ) -> Signal {
        if let Some(usual) = self.usual(method) {
            let own_hold = usual * 2 + SLOW_MARGIN;
            if round_trip > usual && round_trip <= own_hold {
                return Signal::Calm;
            }
        }
        self.observe(now, method, round_trip)
    }

    /// `method`'s usual round trip, once it has been answered.
    pub(crate) fn usual(&self, method: &str) -> Option<Duration> {
        self.baselines.get(method).and_then(|b| b.usual)
    }

    /// The server refused a request.
    pub(crate) fn refused(&mut self, now: Instant) -> Signal {
        if !self.enabled {
            return Signal::Calm;
        }
        self.congestion(now)
    }

    fn congestion(&mut self, now: Instant) -> Signal {
        self.congested_until = Some(now + self.window);
        if self
            .cut_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.window)
        {
            return Signal::Congested;
        }
        self.cut_to = (self.share(now) * DECREASE).max(FLOOR);
        self.cut_at = Some(now);
        Signal::Cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_millis(1020);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn fast_responses_keep_the_whole_budget() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        for i in 0..100 {
            let rtt = ms(150 + i % 20);
            assert_eq!(aimd.observe(t0 + ms(i * 10), "getChat", rtt), Signal::Calm);
        }
        assert_eq!(aimd.share(t0 + ms(1000)), 1.0);
        assert!(aimd.congested_until(t0 + ms(1000)).is_none());
    }

    #[test]
    fn a_slow_response_cuts_once_per_window_and_the_share_comes_back_over_time() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getChat", ms(150));
        // 150 * 1.25 + 40 = 227.5 ms is the line.
        let mut other = Aimd::new(true, WINDOW);
        other.observe(t0, "getChat", ms(150));
        assert_eq!(other.observe(t0, "getChat", ms(227)), Signal::Calm);
        assert_eq!(aimd.observe(t0, "getChat", ms(228)), Signal::Slow);
        assert_eq!(aimd.share(t0), 1.0, "one slow response is jitter");
        assert_eq!(aimd.observe(t0, "getChat", ms(300)), Signal::Slow);
        assert_eq!(aimd.observe(t0, "getChat", ms(260)), Signal::Cut);
        assert_eq!(aimd.share(t0), 0.8);
        assert!(aimd.congested_until(t0).is_some());
        assert_eq!(
            aimd.observe(t0 + ms(500), "getChat", ms(600)),
            Signal::Congested,
            "one wait episode slows many responses; it cuts once"
        );
        assert_eq!(
            aimd.observe(t0 + ms(1019), "getChat", ms(600)),
            Signal::Congested
        );
        assert_eq!(aimd.observe(t0 + ms(1020), "getChat", ms(600)), Signal::Cut);
        let after_second_cut = aimd.share(t0 + ms(1020));
        assert!((after_second_cut - (0.8 + 0.051) * 0.8).abs() < 1e-9);
        // The congestion cap lasts a window after the last signal.
        assert!(aimd.congested_until(t0 + ms(2039)).is_some());
        assert!(aimd.congested_until(t0 + ms(2040)).is_none());
        // 5 % a second back, up to the whole budget.
        let later = aimd.share(t0 + ms(3020));
        assert!((later - (after_second_cut + 0.1)).abs() < 1e-9, "{later}");
        assert_eq!(aimd.share(t0 + ms(20_000)), 1.0);
    }

    #[test]
    fn a_page_held_up_to_one_more_round_trip_is_our_own_doing() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getAllChatMessages", ms(150));
        // Held by the server until its second turned: 150 ms more at most.
        for i in 0..10 {
            let at = t0 + ms(10 * i);
            let signal = aimd.observe_page(at, "getAllChatMessages", ms(340));
            assert_eq!(signal, Signal::Calm, "held page {i}");
        }
        assert_eq!(aimd.share(t0 + ms(100)), 1.0);
        assert_eq!(
            aimd.usual("getAllChatMessages"),
            Some(ms(150)),
            "not a network sample"
        );
        // The same round trips for calls that are not pages are a queue.
        let mut requests = Aimd::new(true, WINDOW);
        requests.observe(t0, "getAllChatMessages", ms(150));
        let signals: Vec<_> = (0..3)
            .map(|_| requests.observe(t0, "getAllChatMessages", ms(340)))
            .collect();
        assert_eq!(signals, [Signal::Slow, Signal::Slow, Signal::Cut]);
    }

    #[test]
    fn a_page_held_longer_than_a_round_trip_is_someone_else() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getAllChatMessages", ms(150));
        // 2 × 150 + 40 = 340 ms is the most our own pacing explains.
        let signals: Vec<_> = (0..3)
            .map(|_| aimd.observe_page(t0, "getAllChatMessages", ms(341)))
            .collect();
        assert_eq!(signals, [Signal::Slow, Signal::Slow, Signal::Cut]);
        // A page faster than usual still moves the baseline.
        let mut fast = Aimd::new(true, WINDOW);
        fast.observe(t0, "getAllChatMessages", ms(150));
        fast.observe_page(t0, "getAllChatMessages", ms(120));
        assert_eq!(fast.usual("getAllChatMessages"), Some(ms(120)));
    }

    #[test]
    fn refusals_cut_and_the_share_never_goes_below_the_floor() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        for i in 0..40 {
            assert_eq!(aimd.refused(t0 + WINDOW * i), Signal::Cut);
        }
        let share = aimd.share(t0 + WINDOW * 39);
        // Cut by a fifth each window, 5 % a second back: it settles just above the floor.
        assert!((FLOOR..0.21).contains(&share), "{share}");
    }

    fn baseline_of(usual: Duration) -> Baseline {
        Baseline {
            usual: Some(usual),
            ..Baseline::default()
        }
    }

    #[test]
    fn slow_means_more_than_a_quarter_plus_40_ms_over_the_baseline() {
        // 1.25 × 100 ms + 40 ms = 165 ms: exactly that is not slow, a nanosecond more is.
        assert!(!baseline_of(ms(100)).observe(ms(165)));
        assert!(baseline_of(ms(100)).observe(ms(165) + Duration::from_nanos(1)));
        assert!(
            !Baseline::default().observe(ms(10_000)),
            "the first sample sets the baseline"
        );
    }

    #[test]
    fn the_baseline_follows_a_faster_sample_at_once_and_a_slower_one_by_a_sixteenth() {
        let mut b = baseline_of(ms(100));
        assert!(!b.observe(ms(132)));
        assert_eq!(b.usual, Some(ms(102)), "100 + (132 - 100) / 16");
        assert!(!b.observe(ms(90)));
        assert_eq!(b.usual, Some(ms(90)));
        assert!(!b.observe(ms(90)));
        assert_eq!(b.usual, Some(ms(90)), "the same sample keeps it");
    }

    #[test]
    fn baselines_are_per_method() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getChat", ms(20));
        aimd.observe(t0, "getAllChatMessages", ms(400));
        assert_eq!(
            aimd.observe(t0, "getAllChatMessages", ms(450)),
            Signal::Calm
        );
        assert_eq!(aimd.observe(t0, "getChat", ms(450)), Signal::Slow);
    }

    #[test]
    fn slow_responses_spread_over_more_than_a_window_are_jitter() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getChat", ms(100));
        for i in 0..10 {
            let signal = aimd.observe(t0 + ms(600 * i), "getChat", ms(400));
            assert_eq!(signal, Signal::Slow, "slow response {i}");
        }
        assert_eq!(aimd.share(t0 + ms(6000)), 1.0);
    }

    #[test]
    fn a_lasting_change_of_latency_becomes_the_new_baseline() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(true, WINDOW);
        aimd.observe(t0, "getChat", ms(20));
        for i in 0..REBASE_AFTER {
            aimd.observe(t0 + ms(u64::from(i)), "getChat", ms(300 + u64::from(i)));
        }
        let later = t0 + ms(60_000);
        assert_eq!(aimd.observe(later, "getChat", ms(310)), Signal::Calm);
        assert_eq!(aimd.share(later), 1.0);
    }

    #[test]
    fn disabled_never_backs_off() {
        let t0 = Instant::now();
        let mut aimd = Aimd::new(false, WINDOW);
        aimd.observe(t0, "getChat", ms(10));
        assert_eq!(aimd.observe(t0, "getChat", ms(900)), Signal::Calm);
        assert_eq!(aimd.refused(t0), Signal::Calm);
        assert_eq!(aimd.share(t0), 1.0);
        assert!(aimd.congested_until(t0).is_none());
    }
}
