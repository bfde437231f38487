//! The service's account limits, as documented: fixed one-second windows of 100 requests and
//! 2,000 records. A request over the limit is held until the window ends; a request that would
//! be the tenth one waiting is refused with HTTP 500 `Too many simultaneous requests`.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::Counters;

/// The limits the sandbox enforces.
///
/// ```
/// use std::time::Duration;
/// use bold360_sdk::sandbox::SandboxLimits;
/// let tight = SandboxLimits { requests: 5, window: Duration::from_millis(200), ..SandboxLimits::default() };
/// assert_eq!(tight.records, 2000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Requests per window. Default 100.
    pub requests: u64,
    /// Records per window. Default 2,000.
    pub records: u64,
    /// The window. Default one second.
    pub window: Duration,
    /// Requests that may wait at once; one more is refused. Default 9.
    pub max_waiting: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            requests: 100,
            records: 2000,
            window: Duration::from_secs(1),
            max_waiting: 9,
        }
    }
}

#[derive(Debug)]
struct Window {
    start: Instant,
    requests: u64,
    records: u64,
    waiting: usize,
}

/// Admission to the account's budget.
#[derive(Debug)]
pub(crate) struct Gate {
    limits: Option<SandboxLimits>,
    window: Mutex<Window>,
}

/// Counts a waiting request until it is admitted or given up (the client went away).
struct Waiting<'a>(&'a Gate);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.lock().waiting -= 1;
    }
}

impl Gate {
    pub(crate) fn new(limits: Option<SandboxLimits>) -> Self {
        Self {
            limits,
            window: Mutex::new(Window {
                start: Instant::now(),
                requests: 0,
                records: 0,
                waiting: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn roll(window: &mut Window, limits: &SandboxLimits, now: Instant) {
        let elapsed = now.saturating_duration_since(window.start);
        if elapsed >= limits.window {
            let windows = elapsed.as_nanos() / limits.window.as_nanos().max(1);
            window.start += limits.window * u32::try_from(windows).unwrap_or(u32::MAX);
            window.requests = 0;
            window.records = 0;
        }
    }

    /// Waits for room in a window. `false` means refused: too many are already waiting.
    pub(crate) async fn admit(&self, counters: &Counters) -> bool {
        let Some(limits) = self.limits else {
            return true;
        };
        let mut waiting = None;
        loop {
            let wake = {
                let mut w = self.lock();
                Self::roll(&mut w, &limits, Instant::now());
                if w.requests < limits.requests && w.records < limits.records {
                    w.requests += 1;
                    return true;
                }
                if waiting.is_none() {
                    if w.waiting >= limits.max_waiting {
                        counters.refusals.fetch_add(1, Ordering::Relaxed);
                        return false;
                    }
                    w.waiting += 1;
                    counters.waits.fetch_add(1, Ordering::Relaxed);
                    waiting = Some(Waiting(self));
                }
                w.start + limits.window
            };
            tokio::time::sleep_until(wake).await;
        }
    }

    /// Counts records served in the current window.
    pub(crate) fn served(&self, records: u64) {
        let Some(limits) = self.limits else { return };
        let mut w = self.lock();
        Self::roll(&mut w, &limits, Instant::now());
        w.records += records;
    }
}
