//! The inbox's schema, as numbered migrations applied in order and recorded in
//! `relay_migrations`, for both stores (the SQL differs only in the sequence column's type).

/// The SQL dialect of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Migration `n` (from 1) in `dialect`.
pub fn migrations(dialect: Dialect) -> Vec<(i64, String)> {
    let serial = match dialect {
        Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    vec![(
        1,
        format!(
            "CREATE TABLE relay_events (
                seq {serial},
                id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                order_key TEXT NOT NULL,
                chat_id TEXT,
                body TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'queued',
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_until BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                answer TEXT,
                written_back BIGINT NOT NULL DEFAULT 0,
                received_at BIGINT NOT NULL,
                delivered_at BIGINT,
                duplicates BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX relay_events_ready ON relay_events (status, next_attempt_at);
            CREATE INDEX relay_events_order ON relay_events (order_key, seq);
            CREATE TABLE relay_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        ),
    )]
}

/// Creates the table that records applied migrations.
pub const MIGRATIONS_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS relay_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

/// The query that claims the next deliverable event: queued and due, or claimed by a relay
/// whose lease ran out (it stopped mid-delivery); with no earlier event of the same chat still
/// undelivered. `$1`/`?1` is now (ms).
pub fn next_claimable(dialect: Dialect) -> String {
    let lock = match dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let now = match dialect {
        Dialect::Sqlite => "?1",
        Dialect::Postgres => "$1",
    };
    format!(
        "SELECT e.seq FROM relay_events e
         WHERE ((e.status = 'queued' AND e.next_attempt_at <= {now})
             OR (e.status = 'delivering' AND e.lease_until < {now}))
           AND NOT EXISTS (
             SELECT 1 FROM relay_events p
             WHERE p.order_key = e.order_key AND p.seq < e.seq
               AND p.status IN ('queued', 'delivering'))
         ORDER BY e.seq
         LIMIT 1 {lock}"
    )
}
