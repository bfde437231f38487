//! Delivery to the user's system, at least once, in order per chat: POST the event with
//! Standard Webhooks headers (`--forward`), or run a command with the event on stdin
//! (`--exec`). A failure (non-2xx, timeout, exit ≠ 0) is tried again by the [`Backoff`]
//! schedule; after `--max-attempts` the event is a dead letter. Then the write-back: values
//! from the receiver's JSON answer set on the chat with updateChat, once per event.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bold360_sdk::chrono::Utc;
use bold360_sdk::{Client, Params};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;

use super::backoff::{parse_retry_after, Backoff};
use super::event::Event;
use super::inbox::{Claimed, Inbox};
use super::webhook::WebhookSecret;

/// Where events go.
#[derive(Debug, Clone)]
pub enum Target {
    /// POST to this URL, signed with the secret.
    Forward {
        url: String,
        secret: WebhookSecret,
        http: reqwest::Client,
    },
    /// Run this shell command with the event JSON on stdin.
    Exec { command: String },
}

/// `FIELD=/json/pointer`: a chat field set from the receiver's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBack {
    pub field: String,
    pub pointer: String,
}

impl std::str::FromStr for WriteBack {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((field, pointer))
                if !field.trim().is_empty() && (pointer.is_empty() || pointer.starts_with('/')) =>
            {
                Ok(Self {
                    field: field.trim().to_owned(),
                    pointer: pointer.to_owned(),
                })
            }
            _ => Err(format!(
                "{text:?}: expected FIELD=/json/pointer, e.g. CustomFields.TicketID=/ticket_id"
            )),
        }
    }
}

/// How events are delivered.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub target: Target,
    /// One attempt's limit.
    pub timeout: Duration,
    pub backoff: Backoff,
    pub max_attempts: i64,
    pub write_back: Vec<WriteBack>,
    /// The API client the write-back goes through (limiter, retries).
    pub client: Option<Client>,
}

/// A failed attempt.
#[derive(Debug)]
struct Failed {
    error: String,
    retry_after: Option<Duration>,
}

impl Failed {
    fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            retry_after: None,
        }
    }
}

impl Delivery {
    /// How long a claim is held: one attempt, a write-back, and a margin. Past it another
    /// worker (or relay) may take the event.
    pub fn lease(&self) -> Duration {
        self.timeout * 3 + Duration::from_secs(30)
    }

    /// One attempt to hand the event over; the receiver's answer (body or stdout).
    async fn hand_over(&self, event: &Event) -> Result<String, Failed> {
        let body = event.to_json().to_string();
        match &self.target {
            Target::Forward { url, secret, http } => {
                let timestamp = Utc::now().timestamp();
                let answer = http
                    .post(url)
                    .timeout(self.timeout)
                    .header("content-type", "application/json")
                    .header("webhook-id", &event.id)
                    .header("webhook-timestamp", timestamp.to_string())
                    .header(
                        "webhook-signature",
                        secret.sign(&event.id, timestamp, body.as_bytes()),
                    )
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| Failed::new(format!("forward: {}", without_url(&e))))?;
                let status = answer.status();
                let retry_after = answer
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after);
                let text = answer
                    .text()
                    .await
                    .map_err(|e| Failed::new(format!("forward: {}", without_url(&e))))?;
                if status.is_success() {
                    Ok(text)
                } else {
                    Err(Failed {
                        error: format!("forward: the receiver answered {status}"),
                        retry_after,
                    })
                }
            }
            Target::Exec { command } => {
                let mut child = tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .env("BOLD360_EVENT_ID", &event.id)
                    .env("BOLD360_EVENT_TYPE", &event.kind)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .kill_on_drop(true)
                    .spawn()
                    .map_err(|e| Failed::new(format!("exec: cannot start: {e}")))?;
                if let Some(mut stdin) = child.stdin.take() {
                    // A command that does not read its input is its own business.
                    let _ = stdin.write_all(body.as_bytes()).await;
                }
                let output = tokio::time::timeout(self.timeout, child.wait_with_output())
                    .await
                    .map_err(|_| Failed::new(format!("exec: no exit within {:?}", self.timeout)))?
                    .map_err(|e| Failed::new(format!("exec: {e}")))?;
                if output.status.success() {
                    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
                } else {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let tail: String = stderr
                        .chars()
                        .rev()
                        .take(200)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    Err(Failed::new(format!(
                        "exec: {} {}",
                        output.status,
                        tail.trim()
                    )))
                }
            }
        }
    }

    /// Sets the configured fields on the event's chat from the answer; `true` when a call
    /// was made. Values the answer lacks are skipped (with a warning), not retried.
    async fn write_back(&self, event: &Event, answer: &str) -> Result<bool, Failed> {
        let (Some(client), Some(chat)) = (&self.client, &event.chat_id) else {
            return Ok(false);
        };
        if self.write_back.is_empty() {
            return Ok(false);
        }
        let Ok(answer) = serde_json::from_str::<serde_json::Value>(answer) else {
            tracing::warn!(event = %event.id, "the receiver's answer is not JSON: nothing to write back");
            return Ok(false);
        };
        let mut params = Params::new().with("ChatID", chat.as_str());
        for WriteBack { field, pointer } in &self.write_back {
            match answer.pointer(pointer) {
                Some(serde_json::Value::String(text)) => {
                    params.set(field.as_str(), text.as_str());
                }
                Some(value @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                    params.set(field.as_str(), value.to_string());
                }
                _ => {
                    tracing::warn!(event = %event.id, field, pointer, "the answer has no value there: not written back")
                }
            }
        }
        if params.len() == 1 {
            return Ok(false);
        }
        client
            .call_raw("updateChat", params)
            .await
            .map_err(|e| Failed::new(format!("write-back: {e}")))?;
        Ok(true)
    }

    /// Delivers one claimed event and records the outcome in the inbox.
    pub async fn handle(&self, inbox: &Inbox, claimed: Claimed) -> Result<(), String> {
        let event = &claimed.event;
        let answer = match &claimed.answer {
            Some(answer) => answer.clone(),
            None => match self.hand_over(event).await {
                Ok(answer) => {
                    inbox.save_answer(&event.id, &answer).await?;
                    answer
                }
                Err(failed) => return self.failed(inbox, &claimed, failed).await,
            },
        };
        match self.write_back(event, &answer).await {
            Ok(written) => {
                tracing::info!(event = %event.id, kind = %event.kind, attempts = claimed.attempts, written_back = written, "delivered");
                inbox.delivered(&event.id, Utc::now(), written).await
            }
            Err(failed) => self.failed(inbox, &claimed, failed).await,
        }
    }

    async fn failed(&self, inbox: &Inbox, claimed: &Claimed, failed: Failed) -> Result<(), String> {
        let id = &claimed.event.id;
        if claimed.attempts >= self.max_attempts {
            tracing::warn!(event = %id, attempts = claimed.attempts, error = %failed.error, "dead letter");
            return inbox.dead(id, &failed.error).await;
        }
        let wait = self
            .backoff
            .delay(claimed.attempts, failed.retry_after, rand::random::<f64>());
        tracing::info!(event = %id, attempts = claimed.attempts, error = %failed.error, retry_in_ms = wait.as_millis() as u64, "delivery failed; will retry");
        let next = Utc::now() + bold360_sdk::chrono::Duration::from_std(wait).unwrap_or_default();
        inbox.retry(id, next, &failed.error).await
    }
}

/// An HTTP error without the URL (which may carry credentials of the receiver).
fn without_url(e: &reqwest::Error) -> String {
    let mut e = e.to_string();
    if let Some(at) = e.find(" for url (") {
        e.truncate(at);
    }
    e
}

/// A delivery worker: claims and delivers until `stop` says so; an attempt in flight when it
/// does is given `grace` to finish, then released for another worker or relay.
pub async fn worker(
    inbox: Inbox,
    delivery: Arc<Delivery>,
    mut stop: watch::Receiver<bool>,
    wake: Arc<tokio::sync::Notify>,
    grace: Duration,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = match inbox.claim(Utc::now(), delivery.lease()).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim from the inbox");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let Some(claimed) = claimed else {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = stop.changed() => {}
            }
            continue;
        };
        let id = claimed.event.id.clone();
        let work = delivery.handle(&inbox, claimed);
        tokio::pin!(work);
        let outcome = tokio::select! {
            outcome = &mut work => outcome,
            _ = async {
                let _ = stop.wait_for(|stopped| *stopped).await;
                tokio::time::sleep(grace).await;
            } => {
                tracing::info!(event = %id, "shutting down: the delivery in flight is released");
                inbox.release(&id).await
            }
        };
        if let Err(e) = outcome {
            tracing::error!(event = %id, error = %e, "cannot record the delivery in the inbox");
        }
    }
}
