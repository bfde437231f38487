//! The vendor's sample integration, in Rust: a small ticketing system behind `bold360 relay`.
//! Each closed chat becomes one ticket holding its transcript; the answer carries the ticket's
//! ID, which the relay writes back into the chat (`--write-back CustomFields.TicketID=/ticket_id`).
//!
//! Events are verified with the Standard Webhooks library (the secret in BOLD360_RELAY_SECRET,
//! `whsec_…`), and a ticket is made once per event ID, however often the event is delivered.
//!
//! ```sh
//! BOLD360_RELAY_SECRET=whsec_… cargo run -p bold360-cli --example ticketing -- --listen 127.0.0.1:9000
//! ```
//!
//! `GET /tickets` lists the tickets as JSON. `--unavailable-for SECONDS` answers 503 (with
//! `Retry-After: 1`) for that long after start: a ticketing system that is down at first.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use standardwebhooks::Webhook;

/// One ticket.
#[derive(Clone, serde::Serialize)]
struct Ticket {
    ticket_id: String,
    event_id: String,
    chat_id: String,
    source: String,
    /// The transcript's messages (from the trigger; empty for a reconciled chat).
    messages: Vec<Value>,
    /// How many times the event was delivered (at least once: a retry after a lost answer
    /// comes again).
    deliveries: u32,
}

struct Desk {
    webhook: Webhook,
    down_until: Instant,
    tickets: Mutex<BTreeMap<String, Ticket>>,
}

async fn event(State(desk): State<Arc<Desk>>, headers: HeaderMap, body: Bytes) -> Response {
    if Instant::now() < desk.down_until {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "1")],
            "down for maintenance",
        )
            .into_response();
    }
    if let Err(e) = desk.webhook.verify(&body, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            format!("not a genuine event: {e}"),
        )
            .into_response();
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    if event["type"] != "chat-closed" {
        return Json(json!({})).into_response();
    }
    let id = event["id"].as_str().unwrap_or_default().to_owned();
    let mut tickets = desk.tickets.lock().unwrap();
    let number = tickets.len() + 1;
    let ticket = tickets.entry(id.clone()).or_insert_with(|| Ticket {
        ticket_id: format!("T-{number:06}"),
        event_id: id,
        chat_id: event["chat_id"].as_str().unwrap_or_default().to_owned(),
        source: event["source"].as_str().unwrap_or_default().to_owned(),
        messages: event["fields"]["ChatTranscript"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        deliveries: 0,
    });
    ticket.deliveries += 1;
    if ticket.deliveries == 1 {
        println!(
            "{} for chat {} ({} messages)",
            ticket.ticket_id,
            ticket.chat_id,
            ticket.messages.len()
        );
    }
    Json(json!({ "ticket_id": ticket.ticket_id })).into_response()
}

async fn tickets(State(desk): State<Arc<Desk>>) -> Json<Vec<Ticket>> {
    Json(desk.tickets.lock().unwrap().values().cloned().collect())
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("BOLD360_RELAY_SECRET")
        .map_err(|_| "set BOLD360_RELAY_SECRET to the relay's forward secret (whsec_…)")?;
    let listen = arg("--listen").unwrap_or_else(|| "127.0.0.1:9000".into());
    let down: f64 = arg("--unavailable-for").map_or(Ok(0.0), |s| s.parse())?;
    let desk = Arc::new(Desk {
        webhook: Webhook::new(&secret)?,
        down_until: Instant::now() + Duration::from_secs_f64(down),
        tickets: Mutex::new(BTreeMap::new()),
    });
    let app = Router::new()
        .route("/events", post(event))
        .route("/tickets", get(tickets))
        .with_state(desk);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!(
        "ticketing listening on http://{}/events",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
