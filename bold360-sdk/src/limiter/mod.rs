//! The account-wide rate limiter.
//!
//! Bold360 allows an account 100 requests and 2,000 records per one-second window; over that
//! a request is held, and the tenth held request is refused with HTTP 500. The limiter keeps a
//! client (and its clones, and any client given the same limiter) inside those limits:
//!
//! - a sliding window per dimension over one second plus a small guard, so no window the server
//!   may use ever sees more than its limit, even with some network jitter;
//! - GCRA pacing on top, so requests are spread evenly instead of bunched at window edges;
//! - at most 9 requests in flight, so the server's refusal of a tenth waiter cannot be reached;
//! - waiters are served in order, and a waiter that is dropped gives up its place without having
//!   taken any budget;
//! - records are only known after the response: a call reserves the count it expects and
//!   settles to the real count, so budget is neither overspent nor wasted.

mod gcra;
mod window;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use gcra::Gcra;
use window::SlidingWindow;

/// Limits of an account, and how closely to approach them.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::LimiterConfig;
/// let config = LimiterConfig::default().requests_per_second(50).max_in_flight(4);
/// assert_eq!(config.get_requests_per_second(), 50);
/// ```
#[derive(Debug, Clone)]
pub struct LimiterConfig {
    requests: u64,
    records: u64,
    window: Duration,
    guard: Duration,
    max_in_flight: usize,
    request_burst: u64,
    record_burst: u64,
    unlimited: bool,
}

impl Default for LimiterConfig {
    /// The documented limits: 100 requests and 2,000 records per second, 9 in flight.
    fn default() -> Self {
        Self {
            requests: 100,
            records: 2000,
            window: Duration::from_secs(1),
            guard: Duration::from_millis(20),
            max_in_flight: 9,
            request_burst: 3,
            record_burst: 1000,
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

    /// Records allowed per window. Default 2,000.
    pub fn records_per_second(mut self, records: u64) -> Self {
        self.records = records.max(1);
        self
    }

    /// Requests in flight at once. Default 9 (the server refuses a tenth waiting request).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// Extra time added to each window to absorb network jitter. Default 20 ms.
    pub fn guard(mut self, guard: Duration) -> Self {
        self.guard = guard;
        self
    }

    /// Requests that may run ahead of the even spacing. Default 3.
    pub fn request_burst(mut self, burst: u64) -> Self {
        self.request_burst = burst.max(1);
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
}

/// Counters of a limiter, for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimiterStats {
    /// Calls admitted.
    pub acquired: u64,
    /// Calls that had to wait for budget.
    pub waited: u64,
    /// Total time calls spent waiting for budget.
    pub wait_time: Duration,
    /// Retries made by clients using this limiter.
    pub retries: u64,
    /// Refusals (`Too many simultaneous requests`) they received.
    pub refusals: u64,
    /// Retries not made because the retry budget was spent.
    pub retries_denied: u64,
}

#[derive(Debug)]
struct State {
    requests: SlidingWindow,
    records: SlidingWindow,
    request_pace: Gcra,
    record_pace: Gcra,
    next_id: u64,
}

#[derive(Debug, Default)]
struct Counters {
    acquired: AtomicU64,
    waited: AtomicU64,
    wait_nanos: AtomicU64,
    retries: AtomicU64,
    refusals: AtomicU64,
    retries_denied: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    unlimited: bool,
    state: Mutex<State>,
    /// Held by the waiter at the head of the line; tokio's mutex is fair (FIFO).
    queue: tokio::sync::Mutex<()>,
    in_flight: Arc<Semaphore>,
    changed: Notify,
    counters: Counters,
}

/// A rate limiter for one account. Cheap to clone; clones share the budget.
///
/// Every [`Client`](crate::Client) has one (shared by its clones). To share one budget between
/// clients of the same account, build them with the same limiter:
///
/// ```
/// use bold360_sdk::{Client, Credentials, RateLimiter};
/// let limiter = RateLimiter::default();
/// let creds = Credentials::new("1", "2", "k").unwrap();
/// let a = Client::builder().credentials(creds.clone()).rate_limiter(limiter.clone()).build().unwrap();
/// let b = Client::builder().credentials(creds).rate_limiter(limiter.clone()).build().unwrap();
/// # let _ = (a, b);
/// ```
#[derive(Debug, Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(LimiterConfig::default())
    }
}

/// An admitted call: holds an in-flight slot until dropped. [`settle`](Self::settle) it with
/// the number of records the response held.
#[derive(Debug)]
pub struct Permit {
    limiter: RateLimiter,
    id: u64,
    reserved: u64,
    _slot: Option<OwnedSemaphorePermit>,
}

impl Permit {
    /// Replaces the reserved record count with the real one.
    pub fn settle(self, records: u64) {
        self.limiter.settle(self.id, self.reserved, records);
    }
}

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(config: LimiterConfig) -> Self {
        let length = config.window + config.guard;
        let state = State {
            requests: SlidingWindow::new(config.requests, length),
            records: SlidingWindow::new(config.records, length),
            request_pace: Gcra::new(config.requests, length, config.request_burst),
            record_pace: Gcra::new(config.records, length, config.record_burst),
            next_id: 0,
        };
        Self {
            inner: Arc::new(Inner {
                unlimited: config.unlimited,
                state: Mutex::new(state),
                queue: tokio::sync::Mutex::new(()),
                in_flight: Arc::new(Semaphore::new(config.max_in_flight)),
                changed: Notify::new(),
                counters: Counters::default(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for an in-flight slot and for budget for one request expecting `records` records.
    /// Cancel-safe: dropping the future before it completes takes nothing and frees its place.
    pub async fn acquire(&self, records: u64) -> Permit {
        if self.inner.unlimited {
            self.inner.counters.acquired.fetch_add(1, Ordering::Relaxed);
            return Permit {
                limiter: self.clone(),
                id: u64::MAX,
                reserved: records,
                _slot: None,
            };
        }
        let started = Instant::now();
        let slot = Arc::clone(&self.inner.in_flight)
            .acquire_owned()
            .await
            .expect("the limiter never closes its semaphore");
        // Only the head of the line computes and sleeps; the others queue here in order.
        let _head = self.inner.queue.lock().await;
        let mut slept = false;
        let id = loop {
            let now = Instant::now();
            let wait_until = {
                let mut s = self.state();
                let at = s
                    .requests
                    .earliest(now, 1)
                    .max(s.records.earliest(now, records))
                    .max(s.request_pace.earliest(now, 1))
                    .max(s.record_pace.earliest(now, records));
                if at <= now {
                    let id = s.next_id;
                    s.next_id += 1;
                    s.requests.reserve(id, now, 1);
                    s.records.reserve(id, now, records);
                    s.request_pace.reserve(now, 1);
                    s.record_pace.reserve(now, records);
                    break id;
                }
                at
            };
            slept = true;
            // A settled refund may free budget early: wake up and look again.
            tokio::select! {
                _ = tokio::time::sleep_until(wait_until) => {}
                _ = self.inner.changed.notified() => {}
            }
        };
        let waited = started.elapsed();
        tracing::trace!(
            target: "bold360_sdk::limiter",
            wait_us = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX),
            records,
            "admitted"
        );
        let c = &self.inner.counters;
        c.acquired.fetch_add(1, Ordering::Relaxed);
        if slept || waited > Duration::ZERO {
            c.waited.fetch_add(1, Ordering::Relaxed);
            c.wait_nanos.fetch_add(
                u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
        }
        Permit {
            limiter: self.clone(),
            id,
            reserved: records,
            _slot: Some(slot),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> LimiterStats {
        let c = &self.inner.counters;
        LimiterStats {
            acquired: c.acquired.load(Ordering::Relaxed),
            waited: c.waited.load(Ordering::Relaxed),
            wait_time: Duration::from_nanos(c.wait_nanos.load(Ordering::Relaxed)),
            retries: c.retries.load(Ordering::Relaxed),
            refusals: c.refusals.load(Ordering::Relaxed),
            retries_denied: c.retries_denied.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_retry(&self) {
        self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_refusal(&self) {
        self.inner.counters.refusals.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_retry_denied(&self) {
        self.inner
            .counters
            .retries_denied
            .fetch_add(1, Ordering::Relaxed);
    }

    fn settle(&self, id: u64, reserved: u64, actual: u64) {
        if self.inner.unlimited {
            return;
        }
        let now = Instant::now();
        {
            let mut s = self.state();
            s.records.settle(id, actual);
            s.record_pace.adjust(now, reserved, actual);
        }
        if actual < reserved {
            self.inner.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LimiterConfig {
        LimiterConfig::default().guard(Duration::ZERO)
    }

    /// Admission times, in ms from the start, of `n` calls made one after another.
    async fn admission_times(limiter: &RateLimiter, n: usize, records: u64) -> Vec<u128> {
        let t0 = Instant::now();
        let mut times = Vec::new();
        for _ in 0..n {
            let permit = limiter.acquire(records).await;
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

    #[tokio::test(start_paused = true)]
    async fn records_are_budgeted_and_refunds_are_given_back() {
        let limiter = RateLimiter::new(config());
        let times = admission_times(&limiter, 6, 1000).await;
        assert_eq!(
            times,
            [0, 500, 1000, 1500, 2000, 2500],
            "2,000 records per second in 1,000-record pages"
        );
        // A call that reserved 1,000 but got 10 gives back nearly all of it.
        let limiter = RateLimiter::new(config());
        let t0 = Instant::now();
        limiter.acquire(1000).await.settle(10);
        limiter.acquire(1000).await.settle(1000);
        assert_eq!(
            t0.elapsed(),
            Duration::from_millis(5),
            "the second page only waits for 10 records' worth"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_calls_are_capped() {
        let limiter = RateLimiter::new(config().max_in_flight(2).request_burst(10));
        let a = limiter.acquire(1).await;
        let _b = limiter.acquire(1).await;
        let third = tokio::time::timeout(Duration::from_secs(5), limiter.acquire(1)).await;
        assert!(third.is_err(), "a third call waits while two are in flight");
        drop(a);
        tokio::time::timeout(Duration::from_millis(1), limiter.acquire(1))
            .await
            .expect("a slot was freed");
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_are_served_in_order_and_cancelling_frees_the_place() {
        let limiter = RateLimiter::new(config().requests_per_second(10).request_burst(1));
        limiter.acquire(1).await.settle(1);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let (limiter, order) = (limiter.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let permit = limiter.acquire(1).await;
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
        limiter.acquire(1).await;
        // Five admissions at 100 ms spacing happened; the cancelled one took no slot.
        assert!(t0.elapsed() <= Duration::from_millis(100));
        assert_eq!(limiter.stats().acquired, 6);
    }
}
