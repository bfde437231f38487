//! `bold360 relay`: receives Bold360's triggers, never loses one, hands each event to the
//! user's system with retries, writes results back to the chat, and finds by itself the chats
//! whose trigger never came.
//!
//! - [`door`]: verify, commit to the inbox, then acknowledge.
//! - [`inbox`]: the durable store (SQLite, or PostgreSQL shared by several relays).
//! - [`event`]: one event per happening, with a stable ID.
//! - [`deliver`]: at least once, in order per chat, with backoff; dead letters; write-back.
//! - [`reconcile`]: closed chats no trigger announced.
//! - [`webhook`]: Standard Webhooks signatures on forwarded events.

pub mod backoff;
pub mod deliver;
pub mod door;
pub mod event;
pub mod inbox;
pub mod reconcile;
pub mod webhook;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bold360_sdk::chrono::Utc;
use bold360_sdk::trigger::TriggerVerifier;
use clap::{Args, Subcommand};
use tokio::sync::{watch, Notify};

use crate::exit::OK;
use crate::fail::Failure;
use crate::out::outln;
use deliver::{Delivery, Target, WriteBack};
use inbox::{Inbox, Location};
use webhook::WebhookSecret;

/// `bold360 relay …`.
#[derive(Debug, Args)]
pub struct RelayArgs {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// The inbox: `sqlite:PATH` (embedded) or a `postgres://` URL (shared by several relays).
    #[arg(long, global = true, default_value = "sqlite:bold360-relay.db")]
    pub inbox: Location,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What the relay does besides serving.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Counts of queued, in-flight, delivered and dead events, and the last reconciliation.
    Status,
    /// The events whose last delivery attempt failed.
    DeadLetters,
    /// Queue an event again (a dead letter, or any event), its attempts reset.
    Replay {
        /// The event's ID (`evt_…`).
        event_id: String,
    },
}

/// How the relay serves.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where the door listens.
    #[arg(long, default_value = "127.0.0.1:8362")]
    pub listen: SocketAddr,
    /// The base URL configured in Bold360's trigger setup; a trigger to `<public-url>/<name>` is
    /// verified against exactly that URL. Default: `http://<listen>`.
    #[arg(long)]
    pub public_url: Option<String>,
    /// Another trigger name to accept besides the known ones (repeatable).
    #[arg(long = "route", value_name = "NAME")]
    pub routes: Vec<String>,
    /// Basic credentials Bold360 sends (USER:PASSWORD), when its trigger setup has them.
    #[arg(long, env = "BOLD360_TRIGGER_BASIC", hide_env_values = true)]
    pub basic: Option<String>,
    /// POST each event here, as JSON with Standard Webhooks headers.
    #[arg(long, conflicts_with = "exec")]
    pub forward: Option<String>,
    /// The forward's signing secret (whsec_…).
    #[arg(long, env = "BOLD360_RELAY_SECRET", hide_env_values = true)]
    pub forward_secret: Option<String>,
    /// Run this shell command for each event, the event JSON on stdin.
    #[arg(long)]
    pub exec: Option<String>,
    /// Set a chat field from the receiver's JSON answer (repeatable):
    /// FIELD=/json/pointer, e.g. CustomFields.TicketID=/ticket_id.
    #[arg(long = "write-back", value_name = "FIELD=/POINTER")]
    pub write_back: Vec<WriteBack>,
    /// Attempts before an event becomes a dead letter. With the default waits (1 s doubling
    /// up to 300 s, jitter down to half), 40 attempts span at least 1.3 hours: a receiver down
    /// for an hour loses nothing.
    #[arg(long, default_value_t = 40)]
    pub max_attempts: i64,
    /// No wait between attempts is longer (seconds).
    #[arg(long, default_value_t = 300.0)]
    pub max_retry_delay: f64,
    /// The first wait after a failure (seconds; doubled after each).
    #[arg(long, default_value_t = 1.0)]
    pub retry_delay: f64,
    /// One delivery attempt's limit (seconds).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Deliveries in flight at once (events of one chat always go one after another).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// How often to look for closed chats no trigger announced (seconds; 0: never).
    #[arg(long, default_value_t = 300.0)]
    pub reconcile_every: f64,
    /// How far back the first reconciliation looks (seconds).
    #[arg(long, default_value_t = 3600.0)]
    pub reconcile_first_window: f64,
}

fn seconds(value: f64, flag: &str) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Failure::usage(format!("--{flag} {value}: expected seconds, 0 or more")))
}

/// The key triggers are signed with: BOLD360_TRIGGER_KEY, else BOLD360_API_KEY.
pub fn trigger_key() -> Result<String, Failure> {
    std::env::var("BOLD360_TRIGGER_KEY")
        .or_else(|_| std::env::var("BOLD360_API_KEY"))
        .map_err(|_| {
            Failure::usage(
                "set BOLD360_TRIGGER_KEY (or BOLD360_API_KEY) to the key triggers are signed with",
            )
        })
}

pub async fn run(args: RelayArgs) -> Result<u8, Failure> {
    let inbox = Inbox::open(&args.inbox).await.map_err(Failure::usage)?;
    match args.action {
        Some(Action::Status) => {
            let s = inbox.status().await.map_err(Failure::usage)?;
            outln!("queued: {}", s.queued);
            outln!("in flight: {}", s.in_flight);
            outln!("delivered: {}", s.delivered);
            outln!("dead: {}", s.dead);
            outln!("duplicates suppressed: {}", s.duplicates);
            outln!("reconciled: {}", s.reconciled);
            outln!("written back: {}", s.written_back);
            outln!(
                "last reconciliation: {}",
                s.last_reconciliation.as_deref().unwrap_or("never")
            );
            Ok(OK)
        }
        Some(Action::DeadLetters) => {
            for d in inbox.dead_letters().await.map_err(Failure::usage)? {
                outln!(
                    "{}\t{}\t{}\t{} attempts\t{}",
                    d.id,
                    d.kind,
                    d.chat_id.as_deref().unwrap_or("-"),
                    d.attempts,
                    d.last_error
                );
            }
            Ok(OK)
        }
        Some(Action::Replay { event_id }) => {
            if inbox
                .replay(&event_id, Utc::now())
                .await
                .map_err(Failure::usage)?
            {
                outln!("{event_id}: queued again");
                Ok(OK)
            } else {
                Err(Failure::usage(format!(
                    "{event_id}: no such event in the inbox"
                )))
            }
        }
        None => serve(inbox, args.serve).await,
    }
}

async fn serve(inbox: Inbox, args: ServeArgs) -> Result<u8, Failure> {
    let mut verifier = TriggerVerifier::new(trigger_key()?);
    if let Some(basic) = &args.basic {
        let (user, password) = basic
            .split_once(':')
            .ok_or_else(|| Failure::usage("--basic: expected USER:PASSWORD"))?;
        verifier = verifier.with_basic_auth(user, password);
    }
    let target = match (&args.forward, &args.exec) {
        (Some(url), _) => {
            let secret: WebhookSecret = args
                .forward_secret
                .as_deref()
                .ok_or_else(|| {
                    Failure::usage("--forward needs a signing secret: --forward-secret or BOLD360_RELAY_SECRET (whsec_…)")
                })?
                .parse()
                .map_err(Failure::usage)?;
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Failure::usage(e.to_string()))?;
            Target::Forward {
                url: url.clone(),
                secret,
                http,
            }
        }
        (None, Some(command)) => Target::Exec {
            command: command.clone(),
        },
        (None, None) => {
            return Err(Failure::usage(
                "say where events go: --forward URL or --exec COMMAND",
            ))
        }
    };
    // The API client: write-back and reconciliation (both optional without credentials).
    let needs_api = !args.write_back.is_empty() || args.reconcile_every > 0.0;
    let client = if needs_api {
        Some(crate::args::client(None, None)?)
    } else {
        None
    };
    let delivery = Arc::new(Delivery {
        target,
        timeout: seconds(args.timeout, "timeout")?,
        backoff: backoff::Backoff {
            initial: seconds(args.retry_delay, "retry-delay")?,
            max: seconds(args.max_retry_delay, "max-retry-delay")?,
        },
        max_attempts: args.max_attempts.max(1),
        write_back: args.write_back.clone(),
        client: client.clone(),
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| Failure::usage(format!("--listen {}: {e}", args.listen)))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"))
        .trim_end_matches('/')
        .to_owned();
    let mut routes: BTreeSet<String> = event::KNOWN_KINDS.iter().map(|k| (*k).to_owned()).collect();
    routes.extend(args.routes.iter().cloned());
    let wake = Arc::new(Notify::new());
    let door = Arc::new(door::Door {
        verifier,
        public_url: public_url.clone(),
        routes,
        inbox: inbox.clone(),
        wake: Arc::clone(&wake),
    });
    let (stop_tx, stop) = watch::channel(false);
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        workers.push(tokio::spawn(deliver::worker(
            inbox.clone(),
            Arc::clone(&delivery),
            stop.clone(),
            Arc::clone(&wake),
            delivery.timeout,
        )));
    }
    let reconciler = match (&client, args.reconcile_every > 0.0) {
        (Some(client), true) => {
            let every = seconds(args.reconcile_every, "reconcile-every")?;
            let first = bold360_sdk::chrono::Duration::from_std(seconds(
                args.reconcile_first_window,
                "reconcile-first-window",
            )?)
            .unwrap_or_default();
            let (client, inbox, wake, mut stop) = (
                client.clone(),
                inbox.clone(),
                Arc::clone(&wake),
                stop.clone(),
            );
            Some(tokio::spawn(async move {
                loop {
                    match reconcile::once(&client, &inbox, first).await {
                        Ok(done) => {
                            tracing::info!(listed = done.listed, new = done.new, "reconciled");
                            if done.new > 0 {
                                wake.notify_waiters();
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "reconciliation failed; the watermark stays")
                        }
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        _ = stop.wait_for(|s| *s) => return,
                    }
                }
            }))
        }
        _ => None,
    };
    eprintln!(
        "bold360 relay: listening on http://{local}; triggers are verified as {public_url}/<name>"
    );
    let mut server_stop = stop.clone();
    let server = axum::serve(listener, door::router(door)).with_graceful_shutdown(async move {
        let _ = server_stop.wait_for(|s| *s).await;
    });
    let server = tokio::spawn(async move { server.await });
    crate::relay::shutdown_signal().await;
    eprintln!("bold360 relay: stopping (deliveries in flight finish or are released)");
    let _ = stop_tx.send(true);
    let _ = server.await;
    for worker in workers {
        let _ = worker.await;
    }
    if let Some(reconciler) = reconciler {
        let _ = reconciler.await;
    }
    Ok(OK)
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
