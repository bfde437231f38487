//! The budget shared through Redis: every admission, settlement and release is one atomic
//! server-side script (`redis.lua`) over keys named by the account ID, timed by Redis's own
//! clock, so any number of processes on any hosts stay inside the account's limits together.
//!
//! Why the `redis` crate: it is the Rust client the Redis project itself points to, with an
//! async connection manager that reconnects on its own and `EVALSHA`-with-fallback scripts.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::local::{Fewer, LocalBudget};
use crate::limiter::config::share_of;
use crate::limiter::config::LimiterConfig;

/// How long a store that could not be reached is left alone before it is tried again, while
/// the fallback budget serves.
const RETRY_STORE_AFTER: Duration = Duration::from_secs(5);

/// Why the shared store could not decide.
#[derive(Debug, Clone)]
pub(crate) struct StoreError(pub(crate) String);

/// Where an admission was booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booking {
    /// In the shared store.
    Store(u64),
    /// In the local fallback budget.
    Fallback(u64),
}

pub(crate) struct RedisBudget {
    client: redis::Client,
    /// `host:port/db`, for messages: never the URL, which may carry a password.
    location: String,
    connection: OnceCell<ConnectionManager>,
    script: Script,
    keys: [String; 4],
    config: LimiterConfig,
    fallback: Option<Mutex<LocalBudget>>,
    /// Set while the fallback serves; the switch is logged once per outage.
    degraded: AtomicBool,
    retry_store_at: Mutex<Option<Instant>>,
}

impl fmt::Debug for RedisBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBudget")
            .field("store", &self.location)
            .field("key", &self.keys[0])
            .field("fallback", &self.config.fallback_share)
            .finish_non_exhaustive()
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl RedisBudget {
    /// Checks the URL; connects on first use.
    pub(crate) fn new(
        url: &SecretString,
        account_id: &str,
        config: &LimiterConfig,
    ) -> Result<Self, String> {
        let client = redis::Client::open(url.expose_secret())
            .map_err(|e| format!("is not a Redis URL ({:?})", e.kind()))?;
        let info = client.get_connection_info();
        let location = format!("{}/{}", info.addr(), info.redis_settings().db());
        let prefix = format!("bold360:limiter:{{{account_id}}}");
        let fallback = config
            .fallback_share
            .map(|share| Mutex::new(LocalBudget::new(&config.scaled(share))));
        Ok(Self {
            client,
            location,
            connection: OnceCell::new(),
            script: Script::new(include_str!("redis.lua")),
            keys: [
                format!("{prefix}:log"),
                format!("{prefix}:units"),
                format!("{prefix}:pace"),
                format!("{prefix}:ids"),
            ],
            config: config.clone(),
            fallback,
            degraded: AtomicBool::new(false),
            retry_store_at: Mutex::new(None),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let manager = self
            .connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(Duration::from_secs(2)))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config).await
            })
            .await
            .map_err(|e| self.store_error(&e))?;
        Ok(manager.clone())
    }

    fn store_error(&self, error: &redis::RedisError) -> StoreError {
        // The error's text can name the server but never carries the URL's password.
        StoreError(format!(
            "the shared limiter at {} failed: {error}",
            self.location
        ))
    }

    fn interval(&self, units: u64, share: f64) -> u64 {
        let per = micros(self.config.span()) / units.max(1);
        if share >= 1.0 {
            per
        } else {
            (per as f64 / share.max(0.01)).ceil() as u64
        }
    }

    fn store_available(&self, now: Instant) -> bool {
        let retry_at = self
            .retry_store_at
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        retry_at.is_none_or(|at| now >= at)
    }

    /// Admits one request expecting `records` records at `share` of the budget, or says how
    /// long to wait before asking again.
    pub(crate) async fn try_admit(
        &self,
        records: u64,
        fewer: Option<Fewer>,
        share: f64,
    ) -> Result<Result<(Booking, u64), Duration>, StoreError> {
        let now = Instant::now();
        if self.fallback.is_some() && !self.store_available(now) {
            return Ok(self.fallback_admit(now, records, fewer, share));
        }
        match self.store_admit(records, fewer, share).await {
            Ok(decision) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
                        target: "bold360_sdk::limiter",
                        store = %self.location,
                        "the shared limiter is reachable again; back to the shared budget"
                    );
                }
                Ok(decision)
            }
            Err(error) if self.fallback.is_some() => {
                *self
                    .retry_store_at
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(now + RETRY_STORE_AFTER);
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        target: "bold360_sdk::limiter",
                        error = %error.0,
                        share = self.config.fallback_share.unwrap_or(1.0),
                        "the shared limiter cannot be reached; using a local limiter at a share of the budget"
                    );
                }
                Ok(self.fallback_admit(Instant::now(), records, fewer, share))
            }
            Err(error) => Err(error),
        }
    }

    fn fallback_admit(
        &self,
        now: Instant,
        records: u64,
        fewer: Option<Fewer>,
        share: f64,
    ) -> Result<(Booking, u64), Duration> {
        let Some(fallback) = &self.fallback else {
            return Err(Duration::ZERO);
        };
        let mut budget = fallback.lock().unwrap_or_else(|e| e.into_inner());
        budget
            .try_admit(now, records, fewer, share)
            .map(|(id, granted)| (Booking::Fallback(id), granted))
            .map_err(|at| at.saturating_duration_since(now))
    }

    /// Runs one operation of the script over this account's keys.
    async fn run<T: redis::FromRedisValue>(&self, op: &str, args: &[u64]) -> Result<T, StoreError> {
        let mut connection = self.connection().await?;
        let mut invocation = self.script.prepare_invoke();
        for key in &self.keys {
            invocation.key(key);
        }
        invocation.arg(op);
        for arg in args {
            invocation.arg(*arg);
        }
        invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.store_error(&e))
    }

    async fn store_admit(
        &self,
        records: u64,
        fewer: Option<Fewer>,
        share: f64,
    ) -> Result<Result<(Booking, u64), Duration>, StoreError> {
        let c = &self.config;
        let reply: Vec<u64> = self
            .run(
                "admit",
                &[
                    share_of(c.requests, share),
                    share_of(c.records, share),
                    micros(c.span()),
                    records,
                    self.interval(c.requests, share),
                    c.request_burst,
                    self.interval(c.records, share),
                    c.record_burst,
                    fewer.map_or(0, |f| f.min),
                    fewer.map_or(0, |f| micros(f.round_trip)),
                ],
            )
            .await?;
        Ok(match reply[..] {
            [1, id, granted] => Ok((Booking::Store(id), granted)),
            [_, wait, ..] => Err(Duration::from_micros(wait.max(1))),
            _ => {
                return Err(StoreError(format!(
                    "the shared limiter at {} answered an admission with {} values",
                    self.location,
                    reply.len()
                )))
            }
        })
    }

    /// Replaces a reservation with the real count.
    pub(crate) async fn settle(
        &self,
        booking: Booking,
        reserved: u64,
        actual: u64,
    ) -> Result<(), StoreError> {
        match booking {
            Booking::Fallback(id) => {
                if let Some(fallback) = &self.fallback {
                    let mut budget = fallback.lock().unwrap_or_else(|e| e.into_inner());
                    budget.settle(Instant::now(), id, reserved, actual);
                }
                Ok(())
            }
            Booking::Store(id) => {
                let c = &self.config;
                let span = micros(c.span());
                let interval = self.interval(c.records, 1.0);
                let _: i64 = self
                    .run("settle", &[id, reserved, actual, interval, span])
                    .await?;
                Ok(())
            }
        }
    }

    /// Gives back a request that never reached the server, and its records.
    pub(crate) async fn release(&self, booking: Booking, reserved: u64) -> Result<(), StoreError> {
        match booking {
            Booking::Fallback(id) => {
                if let Some(fallback) = &self.fallback {
                    let mut budget = fallback.lock().unwrap_or_else(|e| e.into_inner());
                    budget.release(Instant::now(), id, reserved);
                }
                Ok(())
            }
            Booking::Store(id) => {
                let c = &self.config;
                let requests = self.interval(c.requests, 1.0);
                let records = self.interval(c.records, 1.0);
                let span = micros(c.span());
                let _: i64 = self
                    .run("release", &[id, reserved, requests, records, span])
                    .await?;
                Ok(())
            }
        }
    }
}
