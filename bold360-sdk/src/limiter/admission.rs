//! Admission: the FIFO line of waiters. Only the head of the line looks at the budget and
//! sleeps; it wakes when its time comes or when something changes that may let it in earlier
//! (a refund, a release, a freed place in flight). A waiter dropped in line takes nothing.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;

use super::permit::Permit;
use super::stats::Counters;
use super::store::{Fewer, Ticket};
use super::{LimiterError, RateLimiter};

impl RateLimiter {
    /// Waits for budget for one request expecting `records` records (clamped to one window's
    /// record budget).
    ///
    /// Cancel-safe: dropping the future before it completes takes nothing and frees its place
    /// in line. Fails only for a shared limiter whose store cannot be reached.
    pub async fn acquire(&self, records: u64) -> Result<Permit, LimiterError> {
        self.admit(records, None).await
    }

    /// Like [`acquire`](Self::acquire), for a call whose page size the caller may lower (an
    /// offset-paged method's `PageSize`): when all `records` would wait at least `method`'s
    /// usual round trip, and fewer (at least a tenth) fit now, the call is admitted now for
    /// those fewer, provided that postpones the whole count by less than the fewer records'
    /// own time at the full rate (so it adds records rather than moving them).
    /// [`Permit::records`] says how many; ask for that many.
    ///
    /// This fills the room a short page gives back: after a page of 193 where 1,000 were
    /// reserved, the next page can take the other 807 at once instead of waiting for the
    /// window to turn. Until `method` has been answered once, it is [`acquire`](Self::acquire).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let limiter = bold360_sdk::RateLimiter::default();
    /// let permit = limiter.acquire_up_to(1000, "getAllChatMessages").await.unwrap();
    /// assert_eq!(permit.records(), 1000, "an empty budget admits the whole page");
    /// # }
    /// ```
    pub async fn acquire_up_to(&self, records: u64, method: &str) -> Result<Permit, LimiterError> {
        let fewer = self.aimd().usual(method).map(|round_trip| Fewer {
            min: records.min(self.inner.config.records).div_ceil(10).max(1),
            round_trip,
        });
        self.admit(records, fewer).await
    }

    async fn admit(&self, records: u64, fewer: Option<Fewer>) -> Result<Permit, LimiterError> {
        // No call can hold more than one window's records, whatever it asks for.
        let records = records.min(self.inner.config.records);
        let c = &self.inner.counters;
        if self.inner.store.is_unlimited() {
            Counters::count(&c.acquired);
            return Ok(Permit::new(
                self.clone(),
                Ticket::Unlimited,
                records,
                Duration::ZERO,
                false,
            ));
        }
        let started = Instant::now();
        // Only the head of the line computes and sleeps; the others queue here in order.
        let _head = self.inner.queue.lock().await;
        let mut slept = false;
        let (ticket, granted) = loop {
            // Registered before looking, so a change made meanwhile is not missed.
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = Instant::now();
            let (share, congested_until) = {
                let aimd = self.aimd();
                (aimd.share(now), aimd.congested_until(now))
            };
            let cap = match congested_until {
                Some(_) => self.inner.config.congested_in_flight,
                None => self.inner.config.max_in_flight,
            };
            let wake = if self.in_flight() >= cap {
                congested_until
            } else {
                match self
                    .inner
                    .store
                    .try_admit(now, records, fewer, share)
                    .await?
                {
                    Ok(admitted) => break admitted,
                    Err(at) => Some(at),
                }
            };
            slept = true;
            match wake {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        };
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        let waited = started.elapsed();
        tracing::trace!(
            target: "bold360_sdk::limiter",
            wait_us = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX),
            records = granted,
            asked = records,
            "admitted"
        );
        Counters::count(&c.acquired);
        // Time to take the locks is not waiting for budget.
        if slept {
            c.count_wait(waited);
        }
        // More records than its even share of the request budget (over 20 at the documented
        // limits): such calls spend the record budget first, so our own fill the server's
        // seconds.
        let config = &self.inner.config;
        let record_heavy =
            u128::from(granted) * u128::from(config.requests) > u128::from(config.records);
        Ok(Permit::new(
            self.clone(),
            ticket,
            granted,
            waited,
            record_heavy,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::limiter::LimiterConfig;

    fn config() -> LimiterConfig {
        LimiterConfig::default()
    }

    /// Admission times, in ms from the start, of `n` calls made one after another.
    async fn admission_times(limiter: &RateLimiter, n: usize, records: u64) -> Vec<u128> {
        let t0 = Instant::now();
        let mut times = Vec::new();
        for _ in 0..n {
            let permit = limiter.acquire(records).await.unwrap();
            times.push(t0.elapsed().as_millis());
            permit.settle(records);
        }
        times
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_paced_and_never_exceed_the_window() {
        let limiter = RateLimiter::new(config());
        let times = admission_times(&limiter, 250, 1).await;
        // After a burst of 3, one every 10 ms.
        assert_eq!(&times[..5], &[0, 0, 0, 10, 20]);
        for start in 0..times.len() {
            let in_window = times[start..]
                .iter()
                .take_while(|t| **t < times[start] + 1000)
                .count();
            assert!(
                in_window <= 100,
                "{in_window} requests in the second from {} ms",
                times[start]
            );
        }
        let per_second = 249.0 / (*times.last().unwrap() as f64 / 1000.0);
        assert!(per_second > 97.0, "{per_second} requests/s");
    }

    /// Eight calls of `records` one after another, the first two answered in 150 ms and the
    /// others in 290 ms (one more round trip, less 10 ms): the slow responses and back-offs
    /// they made.
    async fn after_late_answers(records: u64, method: &str) -> (u64, u64) {
        let limiter = RateLimiter::new(config());
        for i in 0..8 {
            let mut permit = limiter.acquire(records).await.unwrap();
            permit.mark_sent();
            let rtt = Duration::from_millis(if i < 2 { 150 } else { 290 });
            permit.answered(method, records, rtt);
        }
        let stats = limiter.stats();
        (stats.slow_responses, stats.backoffs)
    }

    #[tokio::test(start_paused = true)]
    async fn pages_may_come_back_a_round_trip_late_without_a_backoff() {
        // Pages of 1,000, two a second, fill the record budget themselves: the server may hold
        // one until its second turns, one more round trip at most.
        assert_eq!(after_late_answers(1000, "getAllChatMessages").await, (0, 0));
        // Single-record calls spend the request budget, which the server counts when they
        // arrive: our own pacing causes no hold, so the same late answers are a queue.
        assert_eq!(after_late_answers(1, "getChat").await, (6, 1));
        // Pages held longer than that (three answers in one window): someone else spends the
        // budget.
        let pages = RateLimiter::new(config());
        let mut first = pages.acquire(1000).await.unwrap();
        first.mark_sent();
        first.answered("getAllChatMessages", 1000, Duration::from_millis(150));
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut permit = pages.acquire(1000).await.unwrap();
            permit.mark_sent();
            held.push(permit);
        }
        for permit in held {
            permit.answered("getAllChatMessages", 1000, Duration::from_millis(700));
        }
        assert_eq!(pages.stats().backoffs, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn records_are_budgeted_and_refunds_are_given_back() {
        let limiter = RateLimiter::new(config());
        let times = admission_times(&limiter, 6, 1000).await;
        assert_eq!(
            times,
            [0, 0, 1000, 1000, 2000, 2000],
            "2,000 records per second in 1,000-record pages"
        );
        // A call that reserved 1,000 but got 10 gives back nearly all of it.
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        limiter.acquire(1000).await.unwrap().settle(10);
        limiter.acquire(1000).await.unwrap().settle(1000);
        limiter.acquire(990).await.unwrap().settle(990);
        assert_eq!(
            t0.elapsed(),
            Duration::ZERO,
            "10 + 1,000 + 990 fit the window"
        );
        limiter.acquire(1000).await.unwrap().settle(1000);
        assert_eq!(
            t0.elapsed(),
            Duration::from_secs(1),
            "the fourth page waits for the first two to leave"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_room_a_short_page_gives_back_goes_to_a_smaller_next_page() {
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let method = "getAllChatMessages";
        let page = |limiter: &RateLimiter, records: u64, at| {
            let limiter = limiter.clone();
            async move {
                let mut permit = limiter.acquire_up_to(1000, method).await.unwrap();
                assert_eq!(Instant::now(), at);
                let asked = permit.records();
                permit.mark_sent();
                tokio::time::sleep(Duration::from_millis(150)).await;
                permit.answered(method, records.min(asked), Duration::from_millis(150));
                asked
            }
        };
        // Two full pages (the idle window's whole budget), then two more as the first two
        // leave the window, the second of which brought back 193.
        assert_eq!(page(&limiter, 1000, t0).await, 1000);
        assert_eq!(page(&limiter, 1000, ms(150)).await, 1000);
        assert_eq!(page(&limiter, 1000, ms(1000)).await, 1000);
        assert_eq!(page(&limiter, 193, ms(1150)).await, 1000);
        // At 1,300 ms the window holds 1,000 (from 1,000 ms) and 193 (from 1,150 ms): a full
        // page waits till 2,000 ms, but the 807 the short page gave back fit now, and taking
        // them does not postpone it.
        assert_eq!(page(&limiter, 1000, ms(1300)).await, 807);
        assert_eq!(page(&limiter, 1000, ms(2000)).await, 1000);
        // A plain acquire never takes fewer: 193 left at 2,150 ms, 807 leave at 2,300 ms.
        let permit = limiter.acquire(1000).await.unwrap();
        assert_eq!((permit.records(), Instant::now()), (1000, ms(2300)));
    }

    #[tokio::test(start_paused = true)]
    async fn no_smaller_page_before_the_method_was_answered_once() {
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        limiter.acquire(1000).await.unwrap().settle(1000);
        limiter.acquire(900).await.unwrap().settle(900);
        // 100 records are free, but "m" has no usual round trip yet: wait for the whole page.
        let permit = limiter.acquire_up_to(1000, "m").await.unwrap();
        assert_eq!(
            (permit.records(), t0.elapsed()),
            (1000, Duration::from_secs(1))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_calls_are_capped() {
        let limiter = RateLimiter::new(config().max_in_flight(2).request_burst(10));
        let a = limiter.acquire(1).await.unwrap();
        let _b = limiter.acquire(1).await.unwrap();
        let third = tokio::time::timeout(Duration::from_secs(5), limiter.acquire(1)).await;
        assert!(third.is_err(), "a third call waits while two are in flight");
        drop(a);
        tokio::time::timeout(Duration::from_millis(1), limiter.acquire(1))
            .await
            .expect("a slot was freed")
            .unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_served_in_order_and_cancelling_frees_the_place() {
        let limiter = RateLimiter::new(config().requests_per_second(10).request_burst(1));
        limiter.acquire(1).await.unwrap().settle(1);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (limiter, order) = (limiter.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let permit = limiter.acquire(1).await.unwrap();
                order.lock().unwrap().push(i);
                permit.settle(1);
            }));
            tokio::task::yield_now().await;
        }
        // Cancel the second waiter before its turn.
        tasks[1].abort();
        for task in tasks {
            let _ = task.await;
        }
        assert_eq!(*order.lock().unwrap(), [0, 2, 3, 4]);
        let t0 = Instant::now();
        let _ = limiter.acquire(1).await.unwrap();
        // Five admissions at 100 ms spacing happened; the cancelled one took no slot.
        assert!(t0.elapsed() <= Duration::from_millis(100));
        assert_eq!(limiter.stats().acquired, 6);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_follows_latency_not_a_fixed_cap() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        let mut held = Vec::new();
        for _ in 0..30 {
            let mut permit = limiter.acquire(1).await.unwrap();
            permit.mark_sent();
            held.push(permit);
        }
        // 30 in flight at once, as 300 ms round trips at 100 req/s need; only pacing waited.
        assert_eq!(limiter.in_flight(), 30);
        assert!(
            t0.elapsed() < Duration::from_millis(300),
            "{:?}",
            t0.elapsed()
        );
        drop(held);
        assert_eq!(limiter.in_flight(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn congestion_caps_in_flight_at_nine_for_a_window_and_cuts_the_share() {
        let limiter = RateLimiter::new(config());
        let mut permit = limiter.acquire(1).await.unwrap();
        permit.mark_sent();
        permit.refused();
        assert!(limiter.current_share() < 1.0);
        assert_eq!(limiter.stats().backoffs, 1);
        let mut held = Vec::new();
        for _ in 0..9 {
            held.push(limiter.acquire(1).await.unwrap());
        }
        let tenth = tokio::time::timeout(Duration::from_millis(500), limiter.acquire(1)).await;
        assert!(tenth.is_err(), "a tenth waits while congested");
        // The cap lifts one window after the signal even though nine are still in flight.
        let tenth = tokio::time::timeout(Duration::from_millis(600), limiter.acquire(1)).await;
        assert!(tenth.is_ok(), "the cap lifts when the congestion is over");
        drop(held);
    }

    #[tokio::test(start_paused = true)]
    async fn slow_responses_back_off_and_fast_ones_do_not() {
        let limiter = RateLimiter::new(config());
        for _ in 0..20 {
            let mut p = limiter.acquire(1).await.unwrap();
            p.mark_sent();
            p.answered("getChat", 1, Duration::from_millis(150));
        }
        assert_eq!(limiter.current_share(), 1.0);
        assert_eq!(limiter.stats().slow_responses, 0);
        for _ in 0..3 {
            let mut p = limiter.acquire(1).await.unwrap();
            p.mark_sent();
            p.answered("getChat", 1, Duration::from_millis(700));
        }
        assert_eq!(limiter.stats().slow_responses, 3);
        assert_eq!(limiter.stats().backoffs, 1);
        assert!((limiter.current_share() - 0.8).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn a_permit_dropped_before_sending_gives_everything_back() {
        let tight = config().requests_per_second(2).request_burst(2);
        let limiter = RateLimiter::new(tight.clone());
        let first = limiter.acquire(1).await.unwrap();
        let _second = limiter.acquire(1).await.unwrap();
        drop(first);
        assert_eq!(limiter.stats().released, 1);
        let t0 = Instant::now();
        let _third = limiter.acquire(1).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::ZERO,
            "the unsent request's place was free"
        );

        // Sent, then dropped (say the caller timed out): the server may have counted it.
        let limiter = RateLimiter::new(tight);
        let mut first = limiter.acquire(1).await.unwrap();
        first.mark_sent();
        drop(first);
        let _second = limiter.acquire(1).await.unwrap();
        let t0 = Instant::now();
        let _third = limiter.acquire(1).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::from_secs(1),
            "a sent request keeps its place"
        );
        assert_eq!(limiter.stats().released, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn huge_page_sizes_reserve_one_window_at_most() {
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        let mut permit = limiter.acquire(1_000_000).await.unwrap();
        permit.mark_sent();
        permit.answered("getAllChatMessages", 1000, Duration::from_millis(100));
        // Another caller is not stalled for minutes behind a million-record reservation.
        let _next = limiter.acquire(1000).await.unwrap();
        assert!(
            t0.elapsed() <= Duration::from_millis(500),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn huge_reservations_are_clamped_to_one_window() {
        let limiter = RateLimiter::new(config());
        limiter.acquire(1_000_000).await.unwrap().settle(0);
        let t0 = Instant::now();
        let _next = limiter.acquire(1000).await.unwrap();
        assert_eq!(
            t0.elapsed(),
            Duration::ZERO,
            "a 1,000,000-record reservation settled to 0 leaves the budget whole"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refund_wakes_the_waiter_at_the_head() {
        let limiter = RateLimiter::new(config());
        let mut big = limiter.acquire(2000).await.unwrap();
        big.mark_sent();
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let t0 = Instant::now();
                let _p = limiter.acquire(1000).await.unwrap();
                t0.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        big.settle(0);
        let waited = waiter.await.unwrap();
        assert!(
            waited <= Duration::from_millis(101),
            "woken by the refund, not by the window: {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn many_waiters_with_cancellations_all_get_through_in_order() {
        let limiter = RateLimiter::new(config().requests_per_second(50).request_burst(1));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..200usize {
            let (limiter, order) = (limiter.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let mut permit = limiter.acquire(1).await.unwrap();
                order.lock().unwrap().push(i);
                permit.mark_sent();
                permit.settle(1);
            }));
            tokio::task::yield_now().await;
        }
        // Cancel every third waiter, at different moments while the line moves.
        for (n, i) in (0..200).filter(|i| i % 3 == 1).enumerate() {
            if n % 10 == 0 {
                tokio::time::sleep(Duration::from_millis(7)).await;
            }
            tasks[i].abort();
        }
        let t0 = Instant::now();
        for task in tasks {
            let _ = task.await;
        }
        let order = order.lock().unwrap().clone();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted, "served in the order they came");
        let expected: Vec<usize> = (0..200).filter(|i| i % 3 != 1).collect();
        let missing: Vec<usize> = expected
            .iter()
            .copied()
            .filter(|i| !order.contains(i))
            .collect();
        assert!(missing.is_empty(), "waiters never served: {missing:?}");
        assert_eq!(limiter.in_flight(), 0);
        // About 134 admissions at 50/s: nobody slept past their turn.
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    }
}
