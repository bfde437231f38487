//! The shared inbox: PostgreSQL, for several relays behind one load balancer. Every change is
//! one statement (committed on its own); a delivery is claimed by one `UPDATE … WHERE seq =
//! (SELECT … FOR UPDATE SKIP LOCKED)`, so two relays never claim the same event, and a lease
//! hands an event whose relay stopped mid-delivery to another. Connections are plain TCP
//! (`NoTls`): run the relay beside its database or through a TLS tunnel.

use std::sync::Arc;
use std::time::Duration;

use bold360_sdk::chrono::{DateTime, Utc};
use tokio_postgres::{Client, NoTls};

use super::migrations::{self, Dialect};
use super::{millis, Claimed, DeadLetter, Status};
use crate::relay::event::Event;

/// The PostgreSQL inbox (cheap to clone).
#[derive(Clone)]
pub struct PostgresInbox {
    client: Arc<Client>,
}

fn pg(e: tokio_postgres::Error) -> String {
    format!("postgres inbox: {e}")
}

impl PostgresInbox {
    pub async fn open(url: &str) -> Result<Self, String> {
        let (mut client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(pg)?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "the inbox's database connection ended");
            }
        });
        // Migrations under an advisory lock: relays starting together apply each once.
        let tx = client.transaction().await.map_err(pg)?;
        tx.execute("SELECT pg_advisory_xact_lock(360360)", &[])
            .await
            .map_err(pg)?;
        tx.batch_execute(migrations::MIGRATIONS_TABLE)
            .await
            .map_err(pg)?;
        for (version, script) in migrations::migrations(Dialect::Postgres) {
            let applied = tx
                .query_opt(
                    "SELECT version FROM relay_migrations WHERE version = $1",
                    &[&version],
                )
                .await
                .map_err(pg)?;
            if applied.is_none() {
                tx.batch_execute(&script).await.map_err(pg)?;
                tx.execute(
                    "INSERT INTO relay_migrations (version, applied_at) VALUES ($1, $2)",
                    &[&version, &millis(Utc::now())],
                )
                .await
                .map_err(pg)?;
            }
        }
        tx.commit().await.map_err(pg)?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    pub async fn insert(&self, event: &Event) -> Result<bool, String> {
        let body = event.to_json().to_string();
        let now = millis(Utc::now());
        let inserted = self
            .client
            .execute(
                "INSERT INTO relay_events (id, kind, source, order_key, chat_id, body, next_attempt_at, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING",
                &[
                    &event.id,
                    &event.kind,
                    &event.source.as_str(),
                    &event.order_key(),
                    &event.chat_id,
                    &body,
                    &now,
                ],
            )
            .await
            .map_err(pg)?;
        if inserted == 0 {
            self.client
                .execute(
                    "UPDATE relay_events SET duplicates = duplicates + 1 WHERE id = $1",
                    &[&event.id],
                )
                .await
                .map_err(pg)?;
        }
        Ok(inserted == 1)
    }

    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<Claimed>, String> {
        let now = millis(now);
        let until = now + lease.as_millis() as i64;
        let statement = format!(
            "UPDATE relay_events SET status = 'delivering', lease_until = $2, attempts = attempts + 1
             WHERE seq = ({}) RETURNING body, attempts, answer",
            migrations::next_claimable(Dialect::Postgres)
        );
        let Some(row) = self
            .client
            .query_opt(&statement, &[&now, &until])
            .await
            .map_err(pg)?
        else {
            return Ok(None);
        };
        let body: String = row.get(0);
        let value: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
        Ok(Some(Claimed {
            event: Event::from_json(&value)?,
            attempts: row.get(1),
            answer: row.get(2),
        }))
    }

    pub async fn save_answer(&self, id: &str, answer: &str) -> Result<(), String> {
        self.client
            .execute(
                "UPDATE relay_events SET answer = $2 WHERE id = $1",
                &[&id, &answer],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    pub async fn delivered(
        &self,
        id: &str,
        now: DateTime<Utc>,
        written_back: bool,
    ) -> Result<(), String> {
        self.client
            .execute(
                "UPDATE relay_events SET status = 'delivered', delivered_at = $2, lease_until = 0,
                 last_error = NULL, written_back = $3 WHERE id = $1",
                &[&id, &millis(now), &i64::from(written_back)],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    pub async fn retry(&self, id: &str, next_at: DateTime<Utc>, error: &str) -> Result<(), String> {
        self.client
            .execute(
                "UPDATE relay_events SET status = 'queued', next_attempt_at = $2, lease_until = 0,
                 last_error = $3 WHERE id = $1",
                &[&id, &millis(next_at), &error],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    pub async fn dead(&self, id: &str, error: &str) -> Result<(), String> {
        self.client
            .execute(
                "UPDATE relay_events SET status = 'dead', lease_until = 0, last_error = $2 WHERE id = $1",
                &[&id, &error],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    pub async fn release(&self, id: &str) -> Result<(), String> {
        self.client
            .execute(
                "UPDATE relay_events SET status = 'queued', lease_until = 0, attempts = attempts - 1
                 WHERE id = $1 AND status = 'delivering'",
                &[&id],
            )
            .await
            .map(drop)
            .map_err(pg)
    }

    pub async fn replay(&self, id: &str, now: DateTime<Utc>) -> Result<bool, String> {
        self.client
            .execute(
                "UPDATE relay_events SET status = 'queued', attempts = 0, next_attempt_at = $2,
                 lease_until = 0 WHERE id = $1",
                &[&id, &millis(now)],
            )
            .await
            .map(|n| n == 1)
            .map_err(pg)
    }

    pub async fn status(&self) -> Result<Status, String> {
        let row = self
            .client
            .query_one(
                "SELECT
                   COUNT(*) FILTER (WHERE status = 'queued'),
                   COUNT(*) FILTER (WHERE status = 'delivering'),
                   COUNT(*) FILTER (WHERE status = 'delivered'),
                   COUNT(*) FILTER (WHERE status = 'dead'),
                   COALESCE(SUM(duplicates), 0)::BIGINT,
                   COUNT(*) FILTER (WHERE source = 'reconciled'),
                   COUNT(*) FILTER (WHERE written_back = 1)
                 FROM relay_events",
                &[],
            )
            .await
            .map_err(pg)?;
        Ok(Status {
            queued: row.get(0),
            in_flight: row.get(1),
            delivered: row.get(2),
            dead: row.get(3),
            duplicates: row.get(4),
            reconciled: row.get(5),
            written_back: row.get(6),
            last_reconciliation: self.state("last_reconciliation").await?,
        })
    }

    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, String> {
        let rows = self
            .client
            .query(
                "SELECT id, kind, chat_id, attempts, COALESCE(last_error, '') FROM relay_events
                 WHERE status = 'dead' ORDER BY seq",
                &[],
            )
            .await
            .map_err(pg)?;
        Ok(rows
            .iter()
            .map(|r| DeadLetter {
                id: r.get(0),
                kind: r.get(1),
                chat_id: r.get(2),
                attempts: r.get(3),
                last_error: r.get(4),
            })
            .collect())
    }

    pub async fn state(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .client
            .query_opt("SELECT value FROM relay_state WHERE name = $1", &[&name])
            .await
            .map_err(pg)?
            .map(|r| r.get(0)))
    }

    pub async fn set_state(&self, name: &str, value: &str) -> Result<(), String> {
        self.client
            .execute(
                "INSERT INTO relay_state (name, value) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                &[&name, &value],
            )
            .await
            .map(drop)
            .map_err(pg)
    }
}
