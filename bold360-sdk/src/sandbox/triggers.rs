//! The sandbox sends triggers, as Bold360 does, so an integration's whole loop can be tested
//! offline: chats are simulated (started, answered, closed, at a rate), stored where
//! getInactiveChats and getChat find them, and each closing is POSTed, form-encoded and signed
//! with the API key (`TriggerVerifier::sign`, apostrophes and all), to every `chat-closed`
//! subscription. Fault knobs drop, duplicate or delay a share of triggers, as a real network
//! and a service without redelivery would.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Duration as Span, Utc};
use serde_json::{json, Value};

use super::data::{iso, Record};
use super::server::SandboxState;
use crate::trigger::{TriggerFields, TriggerVerifier};

/// A trigger subscription: the trigger's name (`chat-closed`) and the URL it is sent to. Only
/// loopback hosts are accepted, unless allowed with [`ChatSimulation::allow_host`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The trigger's name, e.g. `chat-closed`.
    pub kind: String,
    /// Where it is POSTed (also the URL it is signed for).
    pub url: String,
}

impl std::str::FromStr for Subscription {
    type Err = String;
    /// `chat-closed=http://127.0.0.1:8362/chat-closed`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, url) = text.split_once('=').ok_or_else(|| {
            format!(
                "{text:?}: expected NAME=URL, e.g. chat-closed=http://127.0.0.1:8362/chat-closed"
            )
        })?;
        Ok(Self {
            kind: kind.trim().to_owned(),
            url: url.trim().to_owned(),
        })
    }
}

/// Chats to simulate and the triggers to send for them.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use bold360_sdk::sandbox::{ChatSimulation, Sandbox};
/// let sandbox = Sandbox::start().await?;
/// let run = sandbox.simulate_chats(
///     ChatSimulation::new(50, 10.0)
///         .subscribe("chat-closed=http://127.0.0.1:8362/chat-closed".parse()?)
///         .drop_share(0.1)
///         .duplicate_share(0.1),
/// )?;
/// let report = run.finished().await;
/// assert_eq!(report.chats.len(), 50);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChatSimulation {
    count: u32,
    per_second: f64,
    subscriptions: Vec<Subscription>,
    allowed_hosts: Vec<String>,
    drop: f64,
    duplicate: f64,
    delay: f64,
}

impl ChatSimulation {
    /// `count` chats, closing at `per_second`.
    pub fn new(count: u32, per_second: f64) -> Self {
        Self {
            count,
            per_second: per_second.max(0.001),
            subscriptions: Vec::new(),
            allowed_hosts: Vec::new(),
            drop: 0.0,
            duplicate: 0.0,
            delay: 0.0,
        }
    }

    /// Send this trigger for each chat.
    pub fn subscribe(mut self, subscription: Subscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }

    /// Also accept subscriptions to this host (loopback is always accepted).
    pub fn allow_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into());
        self
    }

    /// The share of triggers never sent (0 to 1).
    pub fn drop_share(mut self, share: f64) -> Self {
        self.drop = share.clamp(0.0, 1.0);
        self
    }

    /// The share of triggers sent twice.
    pub fn duplicate_share(mut self, share: f64) -> Self {
        self.duplicate = share.clamp(0.0, 1.0);
        self
    }

    /// The share of triggers sent late (up to two seconds after the chat closed).
    pub fn delay_share(mut self, share: f64) -> Self {
        self.delay = share.clamp(0.0, 1.0);
        self
    }

    fn check_hosts(&self) -> Result<(), String> {
        for s in &self.subscriptions {
            let url = reqwest::Url::parse(&s.url).map_err(|e| format!("{}: {e}", s.url))?;
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback && !self.allowed_hosts.iter().any(|h| h == host) {
                return Err(format!(
                    "{}: the sandbox sends triggers to loopback hosts only (allow {host} explicitly)",
                    s.url
                ));
            }
        }
        Ok(())
    }
}

/// What a simulation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimulationReport {
    /// Every simulated chat's ID, in the order they closed.
    pub chats: Vec<String>,
    /// Trigger requests answered 2xx.
    pub delivered: u32,
    /// Trigger requests that failed (refused, or nobody listening): Bold360 does not redeliver.
    pub failed: u32,
    /// Triggers the drop knob kept back.
    pub dropped: u32,
    /// Triggers sent a second time.
    pub duplicated: u32,
    /// Triggers sent late.
    pub delayed: u32,
}

/// A running simulation.
#[derive(Debug)]
pub struct SimulationRun {
    handle: tokio::task::JoinHandle<SimulationReport>,
}

impl SimulationRun {
    /// Waits until every chat has closed and every trigger was sent (or not).
    pub async fn finished(self) -> SimulationReport {
        self.handle.await.unwrap_or_default()
    }
}

/// A share of `n` by a fixed spread (deterministic: the same chats every run).
fn picked(n: u32, salt: u32, share: f64) -> bool {
    let spread = (n
        .wrapping_mul(2_654_435_761)
        .wrapping_add(salt.wrapping_mul(40_503)))
        % 1000;
    f64::from(spread) < share * 1000.0
}

/// One simulated chat: stored as closed, with its messages; its trigger fields.
fn close_chat(state: &SandboxState, n: u32) -> Vec<(&'static str, String)> {
    let mut store = state.store.lock().expect("sandbox store");
    let chat_id = store.new_id();
    let ended = Utc::now();
    let started = ended - Span::minutes(4);
    let answered = started + Span::seconds(40);
    let pick = |records: &[Record], field: &str| {
        records
            .get(n as usize % records.len().max(1))
            .and_then(|r| r.get(field))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let folder = store
        .folders
        .iter()
        .find(|f| f.get("FolderType").and_then(Value::as_i64) == Some(5))
        .and_then(|f| f.get("FolderID"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let operator = pick(&store.operators, "LoginID");
    let agent = pick(&store.operators, "Name");
    let department = pick(&store.departments, "DepartmentID");
    let visitor = format!("D'Arcy O'Neil #{}", n + 1);
    let question = format!("I can't log in (order #{}) — it's urgent!", 7000 + n);
    let lines = [
        ("Visitor", visitor.clone(), 1, question.clone()),
        (
            "Agent",
            agent.clone(),
            0,
            "We're on it: try \"reset\" *now* ~ 1+1=2".to_owned(),
        ),
        (
            "Visitor",
            visitor.clone(),
            1,
            "Thanks, it's fixed (finally)!".to_owned(),
        ),
    ];
    let mut transcript = Vec::new();
    for (i, (_, name, person, text)) in lines.iter().enumerate() {
        let message_id = store.new_id();
        let created = iso(answered + Span::seconds(i as i64 * 20));
        transcript
            .push(json!({"Name": name, "PersonType": person, "Created": created, "Text": text}));
        let message = json!({
            "AccountID": state.credentials.account_id(),
            "ChatMessageID": message_id,
            "ChatID": chat_id,
            "Created": created,
            "PersonType": person,
            "Name": name,
            "Text": text,
        });
        if let Value::Object(message) = message {
            let at = store.messages.partition_point(|m| {
                m.get("Created").and_then(Value::as_str).unwrap_or_default() <= created.as_str()
            });
            store.messages.insert(at, message);
        }
    }
    let transcript = Value::Array(transcript).to_string();
    let fields = vec![
        ("ChatID", chat_id.clone()),
        ("FolderID", folder.clone()),
        ("DepartmentID", department.clone()),
        ("OperatorID", operator.clone()),
        ("ChatName", visitor.clone()),
        ("InitialQuestion", question.clone()),
        ("Started", iso(started)),
        ("Answered", iso(answered)),
        ("Ended", iso(ended)),
        ("ChatTranscript", transcript),
    ];
    let record = json!({
        "AccountID": state.credentials.account_id(),
        "ChatID": chat_id,
        "FolderID": folder,
        "DepartmentID": department,
        "OperatorID": operator,
        "ChatName": visitor,
        "InitialQuestion": question,
        "Created": iso(started),
        "Started": iso(started),
        "Answered": iso(answered),
        "Ended": iso(ended),
        "Closed": iso(ended),
        "ChatStatusType": 9,
        "OperatorMessageCount": 1,
        "VisitorMessageCount": 2,
        "CustomFields": {},
    });
    if let Value::Object(record) = record {
        store.chats_mut().push(record);
    }
    fields
}

/// The form body of a trigger, signed for `url` with `key` as Bold360 signs it.
pub fn signed_trigger_body(key: &str, url: &str, fields: &[(&str, String)]) -> String {
    let mut trigger = TriggerFields::default();
    for (name, value) in fields {
        trigger.insert(*name, value.clone());
    }
    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    trigger.insert("signed", names.join("&"));
    let signature = TriggerVerifier::new(key)
        .sign(url, &trigger)
        .expect("every signed field is present");
    trigger.insert("signature", signature);
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(trigger.iter())
        .finish()
}

pub(crate) fn start(
    state: Arc<SandboxState>,
    plan: ChatSimulation,
) -> Result<SimulationRun, String> {
    plan.check_hosts()?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let handle = tokio::spawn(async move {
        let mut report = SimulationReport::default();
        let interval = Duration::from_secs_f64(1.0 / plan.per_second);
        let mut sends = tokio::task::JoinSet::new();
        let started = tokio::time::Instant::now();
        for n in 0..plan.count {
            tokio::time::sleep_until(started + interval * n).await;
            let fields = close_chat(&state, n);
            report.chats.push(fields[0].1.clone());
            for s in plan
                .subscriptions
                .iter()
                .filter(|s| s.kind == "chat-closed")
            {
                if picked(n, 1, plan.drop) {
                    report.dropped += 1;
                    continue;
                }
                let twice = picked(n, 2, plan.duplicate);
                let late = picked(n, 3, plan.delay);
                report.duplicated += u32::from(twice);
                report.delayed += u32::from(late);
                let key = state.credentials.api_key_str().to_owned();
                let body = signed_trigger_body(&key, &s.url, &fields);
                let (http, url) = (http.clone(), s.url.clone());
                sends.spawn(async move {
                    if late {
                        tokio::time::sleep(Duration::from_millis(500 + u64::from(n % 1500))).await;
                    }
                    let mut ok = 0u32;
                    let mut failed = 0u32;
                    for _ in 0..(1 + u32::from(twice)) {
                        let sent = http
                            .post(&url)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(body.clone())
                            .send()
                            .await;
                        match sent {
                            Ok(answer) if answer.status().is_success() => ok += 1,
                            _ => failed += 1,
                        }
                    }
                    (ok, failed)
                });
            }
        }
        while let Some(done) = sends.join_next().await {
            if let Ok((ok, failed)) = done {
                report.delivered += ok;
                report.failed += failed;
            }
        }
        report
    });
    Ok(SimulationRun { handle })
}
