//! The durable inbox: every verified trigger is committed here before it is acknowledged, and
//! deliveries are claimed from here, so nothing is lost when the relay or the receiver stops.
//!
//! Two stores, one schema (the `migrations` module): SQLite (embedded, a file beside the process: one
//! relay per file) and PostgreSQL (several relays behind one load balancer share one inbox;
//! a delivery is claimed with `FOR UPDATE SKIP LOCKED` and a lease, so no event is delivered
//! twice at once).
//!
//! An event's life: `queued` → (claimed) `delivering` → `delivered`, or back to `queued` with
//! a later attempt time, or `dead` after the last attempt (`relay replay` queues it again).
//! Within a chat, events are delivered in the order they arrived: one is claimed only when no
//! earlier event of the same chat is still queued or being delivered.

mod migrations;
mod postgres;
mod sqlite;

use bold360_sdk::chrono::{DateTime, Utc};

use super::event::Event;

pub use postgres::PostgresInbox;
pub use sqlite::SqliteInbox;

/// Milliseconds since the epoch: how times are stored.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// An event claimed for delivery.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub event: Event,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The receiver's answer, when an earlier attempt delivered it (only the write-back is
    /// left to do).
    pub answer: Option<String>,
}

/// What `relay status` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub queued: i64,
    pub in_flight: i64,
    pub delivered: i64,
    pub dead: i64,
    pub duplicates: i64,
    pub reconciled: i64,
    pub written_back: i64,
    pub last_reconciliation: Option<String>,
}

/// A dead letter: an event whose last attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: String,
    pub kind: String,
    pub chat_id: Option<String>,
    pub attempts: i64,
    pub last_error: String,
}

/// Where the inbox lives: `sqlite:PATH` or a `postgres://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl std::str::FromStr for Location {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if let Some(path) = text.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("sqlite: needs a path, e.g. sqlite:relay.db".into());
            }
            Ok(Location::Sqlite(path.into()))
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Ok(Location::Postgres(text.to_owned()))
        } else {
            Err(format!(
                "{text:?}: expected sqlite:PATH or a postgres:// URL"
            ))
        }
    }
}

/// The inbox, in one of its stores.
#[derive(Clone)]
pub enum Inbox {
    Sqlite(SqliteInbox),
    Postgres(PostgresInbox),
}

macro_rules! each {
    ($self:ident, $inbox:ident => $body:expr) => {
        match $self {
            Inbox::Sqlite($inbox) => $body,
            Inbox::Postgres($inbox) => $body,
        }
    };
}

impl Inbox {
    /// Opens (and migrates) the inbox.
    pub async fn open(location: &Location) -> Result<Self, String> {
        Ok(match location {
            Location::Sqlite(path) => Inbox::Sqlite(SqliteInbox::open(path).await?),
            Location::Postgres(url) => Inbox::Postgres(PostgresInbox::open(url).await?),
        })
    }

    /// Commits a new event; `false` when the inbox already has it (counted as a duplicate).
    pub async fn insert(&self, event: &Event) -> Result<bool, String> {
        each!(self, inbox => inbox.insert(event).await)
    }

    /// Claims the next deliverable event for `lease`, if any.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<Claimed>, String> {
        each!(self, inbox => inbox.claim(now, lease).await)
    }

    /// Keeps the receiver's answer of a delivered attempt (the write-back may still be due).
    pub async fn save_answer(&self, id: &str, answer: &str) -> Result<(), String> {
        each!(self, inbox => inbox.save_answer(id, answer).await)
    }

    /// Marks an event delivered (and written back, when it was).
    pub async fn delivered(
        &self,
        id: &str,
        now: DateTime<Utc>,
        written_back: bool,
    ) -> Result<(), String> {
        each!(self, inbox => inbox.delivered(id, now, written_back).await)
    }

    /// Queues an event again for `next_at` after a failed attempt.
    pub async fn retry(&self, id: &str, next_at: DateTime<Utc>, error: &str) -> Result<(), String> {
        each!(self, inbox => inbox.retry(id, next_at, error).await)
    }

    /// Makes an event a dead letter.
    pub async fn dead(&self, id: &str, error: &str) -> Result<(), String> {
        each!(self, inbox => inbox.dead(id, error).await)
    }

    /// Gives a claimed event back without counting the attempt (graceful shutdown).
    pub async fn release(&self, id: &str) -> Result<(), String> {
        each!(self, inbox => inbox.release(id).await)
    }

    /// Queues a dead letter (or any event) again, attempts reset; `false` when unknown.
    pub async fn replay(&self, id: &str, now: DateTime<Utc>) -> Result<bool, String> {
        each!(self, inbox => inbox.replay(id, now).await)
    }

    pub async fn status(&self) -> Result<Status, String> {
        each!(self, inbox => inbox.status().await)
    }

    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, String> {
        each!(self, inbox => inbox.dead_letters().await)
    }

    /// A value the relay keeps (the reconciliation's watermark).
    pub async fn state(&self, name: &str) -> Result<Option<String>, String> {
        each!(self, inbox => inbox.state(name).await)
    }

    pub async fn set_state(&self, name: &str, value: &str) -> Result<(), String> {
        each!(self, inbox => inbox.set_state(name, value).await)
    }
}
