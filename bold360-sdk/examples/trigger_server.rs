//! A webhook server that accepts only verified Bold360 triggers.
//!
//! ```text
//! cargo run -p bold360-sdk --features trigger-axum --example trigger_server
//! ```
//!
//! The key is `BOLD360_TRIGGER_KEY`, else `BOLD360_API_KEY`; the public base URL Bold360 calls
//! is `BOLD360_TRIGGER_BASE_URL` (default: the listen address). Without a key it uses a demo
//! key and prints a correctly signed `curl` command to try it. A trigger handled once (2xx) is
//! refused as a replay within an hour; one whose handler failed is handled again on retry.
//! For triggers that must never be lost (Bold360 does not redeliver), put `bold360 relay` in
//! front instead: it stores each trigger before answering.

use std::net::SocketAddr;

use axum::routing::post;
use axum::Router;
use bold360_sdk::trigger::payload::{AgentStatusChanged, ChatClosed};
use bold360_sdk::trigger::{
    ReplayGuard, TriggerConfig, TriggerFields, TriggerVerifier, VerifiedTrigger,
};

async fn chat_closed(VerifiedTrigger(event): VerifiedTrigger<ChatClosed>) -> &'static str {
    println!(
        "chat {} closed at {}",
        event.chat_id.as_ref().map(|id| id.as_str()).unwrap_or("?"),
        event.ended.map(|t| t.to_rfc3339()).unwrap_or_default()
    );
    "ok"
}

async fn agent_status(VerifiedTrigger(event): VerifiedTrigger<AgentStatusChanged>) -> &'static str {
    println!(
        "agent {} is now in status {}",
        event.user_name.as_deref().unwrap_or("?"),
        event.status_type.unwrap_or_default()
    );
    "ok"
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::var("BIND")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()
        .map_err(std::io::Error::other)?;
    let key = std::env::var("BOLD360_TRIGGER_KEY").or_else(|_| std::env::var("BOLD360_API_KEY"));
    let demo = key.is_err();
    let verifier = TriggerVerifier::new(key.unwrap_or_else(|_| "demo-key".into()));
    let base =
        std::env::var("BOLD360_TRIGGER_BASE_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let config = TriggerConfig::new(verifier.clone(), base.clone()).with_replay_guard(
        ReplayGuard::new(std::time::Duration::from_secs(3600), 100_000),
    );
    let app = Router::new()
        .route("/hooks/chat-closed", post(chat_closed))
        .route("/hooks/agent-status", post(agent_status))
        .layer(TriggerConfig::replay_layer())
        .with_state(config);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{addr} (triggers verified against {base})");
    if demo {
        let mut fields = TriggerFields::from_form(
            b"ChatID=9007199254740993&Ended=2024-05-01T10:05:00Z&signed=ChatID%26Ended",
        );
        let url = format!("{base}/hooks/chat-closed");
        if let Ok(signature) = verifier.sign(&url, &fields) {
            fields.insert("signature", signature.clone());
            println!("demo key in use; try:\n  curl -d 'ChatID=9007199254740993&Ended=2024-05-01T10:05:00Z&signed=ChatID%26Ended&signature={signature}' {url}");
        }
    }
    axum::serve(listener, app).await
}
