//! The embedded inbox: SQLite in WAL mode with `synchronous = FULL` (a commit is on disk
//! before the trigger is acknowledged). One thread owns the one connection and runs every
//! operation in arrival order, so nothing waits on a lock; inserts waiting together are
//! committed in one transaction (group commit): one disk flush for many triggers arriving
//! together, each still acknowledged only after its commit.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use bold360_sdk::chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::oneshot;

use super::migrations::{self, Dialect};
use super::{millis, Claimed, DeadLetter, Status};
use crate::relay::event::Event;

type Reply = oneshot::Sender<Result<bool, String>>;

/// Work for the connection's thread.
enum Op {
    Insert(Event, Reply),
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// The SQLite inbox (cheap to clone).
#[derive(Clone)]
pub struct SqliteInbox {
    ops: mpsc::Sender<Op>,
}

fn sql(e: rusqlite::Error) -> String {
    format!("sqlite inbox: {e}")
}

fn connect(path: &Path) -> Result<Connection, String> {
    let connection = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    connection
        .busy_timeout(Duration::from_secs(10))
        .map_err(sql)?;
    connection
        .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        .map_err(sql)?;
    Ok(connection)
}

fn migrate(connection: &mut Connection) -> Result<(), String> {
    connection
        .execute_batch(migrations::MIGRATIONS_TABLE)
        .map_err(sql)?;
    for (version, script) in migrations::migrations(Dialect::Sqlite) {
        let tx = connection.transaction().map_err(sql)?;
        let applied: Option<i64> = tx
            .query_row(
                "SELECT version FROM relay_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        if applied.is_none() {
            tx.execute_batch(&script).map_err(sql)?;
            tx.execute(
                "INSERT INTO relay_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, millis(Utc::now())],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
    }
    Ok(())
}

/// Inserts one event in an open transaction; `false` when it was there already.
fn insert_one(tx: &rusqlite::Transaction<'_>, event: &Event) -> Result<bool, String> {
    let body = event.to_json().to_string();
    let now = millis(Utc::now());
    let inserted = tx
        .execute(
            "INSERT INTO relay_events (id, kind, source, order_key, chat_id, body, next_attempt_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (id) DO NOTHING",
            params![
                event.id,
                event.kind,
                event.source.as_str(),
                event.order_key(),
                event.chat_id,
                body,
                now
            ],
        )
        .map_err(sql)?;
    if inserted == 0 {
        tx.execute(
            "UPDATE relay_events SET duplicates = duplicates + 1 WHERE id = ?1",
            [&event.id],
        )
        .map_err(sql)?;
    }
    Ok(inserted == 1)
}

/// Commits a batch of inserts in one transaction, then answers each.
fn commit_inserts(connection: &mut Connection, batch: Vec<(Event, Reply)>) {
    let outcome = (|| {
        let tx = connection.transaction().map_err(sql)?;
        let mut results = Vec::with_capacity(batch.len());
        for (event, _) in &batch {
            results.push(insert_one(&tx, event)?);
        }
        tx.commit().map_err(sql)?;
        Ok::<_, String>(results)
    })();
    match outcome {
        Ok(results) => {
            for ((_, reply), new) in batch.into_iter().zip(results) {
                let _ = reply.send(Ok(new));
            }
        }
        Err(e) => {
            for (_, reply) in batch {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

/// The connection's thread: runs operations in arrival order; inserts that wait together
/// are committed together.
fn run_loop(mut connection: Connection, ops: mpsc::Receiver<Op>) {
    let mut pending: Option<Op> = None;
    loop {
        let op = match pending.take() {
            Some(op) => op,
            None => match ops.recv() {
                Ok(op) => op,
                Err(_) => return,
            },
        };
        match op {
            Op::Run(work) => work(&mut connection),
            Op::Insert(event, reply) => {
                let mut batch = vec![(event, reply)];
                while batch.len() < 512 {
                    match ops.try_recv() {
                        Ok(Op::Insert(event, reply)) => batch.push((event, reply)),
                        Ok(other) => {
                            pending = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_inserts(&mut connection, batch);
            }
        }
    }
}

impl SqliteInbox {
    pub async fn open(path: &Path) -> Result<Self, String> {
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut connection = connect(&path)?;
            migrate(&mut connection)?;
            let (ops, receiver) = mpsc::channel();
            std::thread::Builder::new()
                .name("relay-inbox".into())
                .spawn(move || run_loop(connection, receiver))
                .map_err(|e| format!("cannot start the inbox thread: {e}"))?;
            Ok(Self { ops })
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Runs `work` on the connection's thread.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let (reply, answer) = oneshot::channel();
        self.ops
            .send(Op::Run(Box::new(move |connection| {
                let _ = reply.send(work(connection));
            })))
            .map_err(|_| "the inbox thread stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the inbox thread stopped".to_owned())?
    }

    pub async fn insert(&self, event: &Event) -> Result<bool, String> {
        let (reply, answer) = oneshot::channel();
        self.ops
            .send(Op::Insert(event.clone(), reply))
            .map_err(|_| "the inbox thread stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the inbox thread stopped".to_owned())?
    }

    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<Claimed>, String> {
        let now = millis(now);
        let until = now + lease.as_millis() as i64;
        self.with(move |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(sql)?;
            let seq: Option<i64> = tx
                .query_row(&migrations::next_claimable(Dialect::Sqlite), [now], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(sql)?;
            let Some(seq) = seq else {
                return Ok(None);
            };
            let (body, attempts, answer): (String, i64, Option<String>) = tx
                .query_row(
                    "UPDATE relay_events SET status = 'delivering', lease_until = ?2, attempts = attempts + 1
                     WHERE seq = ?1 RETURNING body, attempts, answer",
                    params![seq, until],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
            let value: serde_json::Value =
                serde_json::from_str(&body).map_err(|e| e.to_string())?;
            Ok(Some(Claimed {
                event: Event::from_json(&value)?,
                attempts,
                answer,
            }))
        })
        .await
    }

    async fn execute(
        &self,
        statement: &'static str,
        values: Vec<rusqlite::types::Value>,
    ) -> Result<usize, String> {
        self.with(move |c| {
            c.execute(statement, rusqlite::params_from_iter(values))
                .map_err(sql)
        })
        .await
    }

    pub async fn save_answer(&self, id: &str, answer: &str) -> Result<(), String> {
        self.execute(
            "UPDATE relay_events SET answer = ?2 WHERE id = ?1",
            vec![id.to_owned().into(), answer.to_owned().into()],
        )
        .await
        .map(drop)
    }

    pub async fn delivered(
        &self,
        id: &str,
        now: DateTime<Utc>,
        written_back: bool,
    ) -> Result<(), String> {
        self.execute(
            "UPDATE relay_events SET status = 'delivered', delivered_at = ?2, lease_until = 0, last_error = NULL,
             written_back = ?3 WHERE id = ?1",
            vec![id.to_owned().into(), millis(now).into(), i64::from(written_back).into()],
        )
        .await
        .map(drop)
    }

    pub async fn retry(&self, id: &str, next_at: DateTime<Utc>, error: &str) -> Result<(), String> {
        self.execute(
            "UPDATE relay_events SET status = 'queued', next_attempt_at = ?2, lease_until = 0, last_error = ?3 WHERE id = ?1",
            vec![id.to_owned().into(), millis(next_at).into(), error.to_owned().into()],
        )
        .await
        .map(drop)
    }

    pub async fn dead(&self, id: &str, error: &str) -> Result<(), String> {
        self.execute(
            "UPDATE relay_events SET status = 'dead', lease_until = 0, last_error = ?2 WHERE id = ?1",
            vec![id.to_owned().into(), error.to_owned().into()],
        )
        .await
        .map(drop)
    }

    pub async fn release(&self, id: &str) -> Result<(), String> {
        self.execute(
            "UPDATE relay_events SET status = 'queued', lease_until = 0, attempts = attempts - 1
             WHERE id = ?1 AND status = 'delivering'",
            vec![id.to_owned().into()],
        )
        .await
        .map(drop)
    }

    pub async fn replay(&self, id: &str, now: DateTime<Utc>) -> Result<bool, String> {
        self.execute(
            "UPDATE relay_events SET status = 'queued', attempts = 0, next_attempt_at = ?2, lease_until = 0
             WHERE id = ?1",
            vec![id.to_owned().into(), millis(now).into()],
        )
        .await
        .map(|n| n == 1)
    }

    pub async fn status(&self) -> Result<Status, String> {
        self.with(|c| {
            let count = |query: &str| -> Result<i64, String> {
                c.query_row(query, [], |r| r.get(0)).map_err(sql)
            };
            Ok(Status {
                queued: count("SELECT COUNT(*) FROM relay_events WHERE status = 'queued'")?,
                in_flight: count("SELECT COUNT(*) FROM relay_events WHERE status = 'delivering'")?,
                delivered: count("SELECT COUNT(*) FROM relay_events WHERE status = 'delivered'")?,
                dead: count("SELECT COUNT(*) FROM relay_events WHERE status = 'dead'")?,
                duplicates: count("SELECT COALESCE(SUM(duplicates), 0) FROM relay_events")?,
                reconciled: count("SELECT COUNT(*) FROM relay_events WHERE source = 'reconciled'")?,
                written_back: count("SELECT COUNT(*) FROM relay_events WHERE written_back = 1")?,
                last_reconciliation: c
                    .query_row(
                        "SELECT value FROM relay_state WHERE name = 'last_reconciliation'",
                        [],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(sql)?,
            })
        })
        .await
    }

    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, String> {
        self.with(|c| {
            let mut statement = c
                .prepare(
                    "SELECT id, kind, chat_id, attempts, COALESCE(last_error, '') FROM relay_events
                     WHERE status = 'dead' ORDER BY seq",
                )
                .map_err(sql)?;
            let rows = statement
                .query_map([], |r| {
                    Ok(DeadLetter {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        chat_id: r.get(2)?,
                        attempts: r.get(3)?,
                        last_error: r.get(4)?,
                    })
                })
                .map_err(sql)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(sql)
        })
        .await
    }

    pub async fn state(&self, name: &str) -> Result<Option<String>, String> {
        let name = name.to_owned();
        self.with(move |c| {
            c.query_row(
                "SELECT value FROM relay_state WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)
        })
        .await
    }

    pub async fn set_state(&self, name: &str, value: &str) -> Result<(), String> {
        self.execute(
            "INSERT INTO relay_state (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            vec![name.to_owned().into(), value.to_owned().into()],
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::event::{Event, Source};
    use serde_json::json;

    fn event(id: &str, chat: &str) -> Event {
        Event {
            id: id.to_owned(),
            kind: "chat-message-added".to_owned(),
            source: Source::Trigger,
            received_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            chat_id: Some(chat.to_owned()),
            fields: json!({ "ChatID": chat }),
        }
    }

    #[tokio::test]
    async fn events_of_a_chat_are_claimed_in_order_one_at_a_time_and_a_lease_runs_out() {
        let dir = std::env::temp_dir().join(format!("relay-inbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let inbox = SqliteInbox::open(&dir.join("inbox.db")).await.unwrap();
        for (id, chat) in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("a3", "A")] {
            assert!(inbox.insert(&event(id, chat)).await.unwrap());
        }
        assert!(
            !inbox.insert(&event("a1", "A")).await.unwrap(),
            "a duplicate"
        );
        let now = Utc::now();
        let lease = Duration::from_secs(60);
        let first = inbox.claim(now, lease).await.unwrap().unwrap();
        assert_eq!(first.event.id, "a1");
        assert_eq!(first.attempts, 1);
        // a2 waits for a1; B's event goes meanwhile.
        let second = inbox.claim(now, lease).await.unwrap().unwrap();
        assert_eq!(second.event.id, "b1");
        assert!(inbox.claim(now, lease).await.unwrap().is_none());
        // A failed attempt keeps the chat's order: a1 comes back first, when due.
        inbox
            .retry("a1", now + bold360_sdk::chrono::Duration::seconds(5), "503")
            .await
            .unwrap();
        assert!(
            inbox.claim(now, lease).await.unwrap().is_none(),
            "a1 is not due"
        );
        let again = inbox
            .claim(now + bold360_sdk::chrono::Duration::seconds(6), lease)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.event.id.as_str(), again.attempts), ("a1", 2));
        inbox.delivered("a1", now, false).await.unwrap();
        let next = inbox.claim(now, lease).await.unwrap().unwrap();
        assert_eq!(next.event.id, "a2");
        // A relay that stopped mid-delivery: its lease runs out and the event is claimed again.
        let later = now + bold360_sdk::chrono::Duration::seconds(61);
        let reclaimed = inbox.claim(later, lease).await.unwrap().unwrap();
        assert_eq!((reclaimed.event.id.as_str(), reclaimed.attempts), ("a2", 2));
        let status = inbox.status().await.unwrap();
        assert_eq!(
            (
                status.queued,
                status.in_flight,
                status.delivered,
                status.duplicates
            ),
            (1, 2, 1, 1)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
