//! An event: one happening (a chat closed, an agent changed status), whichever source saw it
//! first (a verified trigger, or the reconciliation that found a chat no trigger announced).
//! Its ID is stable, so a duplicate delivery of the trigger and a reconciliation of the same
//! chat are the same event.

use bold360_sdk::chrono::{DateTime, SecondsFormat, Utc};
use bold360_sdk::trigger::payload::{
    AgentStatusChanged, ChatAnswered, ChatClosed, ChatMessageAdded, ChatStarted, ChatUnavailable,
};
use bold360_sdk::trigger::SignedFields;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The trigger names the relay accepts by default (the path after the public URL), each typed
/// by the SDK's payload of that name. Others can be added with `--route NAME` (fields as text).
pub const KNOWN_KINDS: &[&str] = &[
    "chat-closed",
    "chat-started",
    "chat-answered",
    "chat-unavailable",
    "chat-message-added",
    "agent-status-changed",
];

/// Where an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A verified trigger.
    Trigger,
    /// The reconciliation: a closed chat that no trigger announced.
    Reconciled,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Trigger => "trigger",
            Source::Reconciled => "reconciled",
        }
    }
}

/// An event as the inbox keeps it and the receiver gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `evt_` and 32 hex digits, stable for the happening.
    pub id: String,
    /// The trigger's name, e.g. `chat-closed`.
    pub kind: String,
    pub source: Source,
    pub received_at: DateTime<Utc>,
    /// The chat, when the event is about one.
    pub chat_id: Option<String>,
    /// The verified fields, typed as the SDK types them.
    pub fields: Value,
}

/// A time as the event's JSON keeps it: whole milliseconds.
fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// `evt_` + the first 128 bits of SHA-256 over the parts, each ended by a newline.
fn derive_id(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update(b"\n");
    }
    let digest = hash.finalize();
    format!("evt_{}", hex::encode(&digest[..16]))
}

/// The ID of an event: from the kind and the chat for a chat's closing (a chat closes once),
/// else from the kind and the signed content.
pub fn event_id(kind: &str, chat_id: Option<&str>, signed: &[(&str, &str)]) -> String {
    match chat_id {
        Some(chat) if kind == "chat-closed" => derive_id(&[kind, chat]),
        _ => {
            let mut parts = vec![kind.to_owned()];
            for (name, value) in signed {
                if *name != "signature" {
                    parts.push(format!("{name}={value}"));
                }
            }
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            derive_id(&parts)
        }
    }
}

/// The verified fields as typed JSON: the SDK's payload for a known kind (IDs as exact text,
/// times in UTC), the transcript as messages; `signed` and `signature` left out.
fn typed_fields(kind: &str, signed: &SignedFields) -> Result<Value, String> {
    fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(
        signed: &SignedFields,
    ) -> Result<Value, String> {
        let payload: T = signed.parse().map_err(|e| e.to_string())?;
        serde_json::to_value(payload).map_err(|e| e.to_string())
    }
    let mut value = match kind {
        "chat-closed" => typed::<ChatClosed>(signed)?,
        "chat-started" => typed::<ChatStarted>(signed)?,
        "chat-answered" => typed::<ChatAnswered>(signed)?,
        "chat-unavailable" => typed::<ChatUnavailable>(signed)?,
        "chat-message-added" => typed::<ChatMessageAdded>(signed)?,
        "agent-status-changed" => typed::<AgentStatusChanged>(signed)?,
        _ => Value::Object(
            signed
                .iter()
                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                .collect(),
        ),
    };
    if let Value::Object(map) = &mut value {
        map.remove("signed");
        map.remove("signature");
        transcript_as_messages(map);
    }
    Ok(value)
}

/// `ChatTranscript`, when it is JSON (a list of messages), becomes that list.
fn transcript_as_messages(map: &mut Map<String, Value>) {
    if let Some(Value::String(text)) = map.get("ChatTranscript") {
        if let Ok(messages @ Value::Array(_)) = serde_json::from_str::<Value>(text) {
            map.insert("ChatTranscript".to_owned(), messages);
        }
    }
}

impl Event {
    /// The event of a verified trigger received at `received_at`.
    pub fn from_trigger(
        kind: &str,
        signed: &SignedFields,
        received_at: DateTime<Utc>,
    ) -> Result<Self, String> {
        let fields = typed_fields(kind, signed)?;
        let chat_id = signed
            .get("ChatID")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let pairs: Vec<(&str, &str)> = signed.iter().collect();
        Ok(Self {
            id: event_id(kind, chat_id.as_deref(), &pairs),
            kind: kind.to_owned(),
            source: Source::Trigger,
            received_at: to_millis(received_at),
            chat_id,
            fields,
        })
    }

    /// The `chat-closed` event of a chat the reconciliation found (its record from
    /// getInactiveChats).
    pub fn reconciled(chat_id: &str, record: Value, received_at: DateTime<Utc>) -> Self {
        Self {
            id: event_id("chat-closed", Some(chat_id), &[]),
            kind: "chat-closed".to_owned(),
            source: Source::Reconciled,
            received_at: to_millis(received_at),
            chat_id: Some(chat_id.to_owned()),
            fields: record,
        }
    }

    /// The JSON the receiver gets.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "type": self.kind,
            "source": self.source.as_str(),
            "received_at": self.received_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "chat_id": self.chat_id,
            "fields": self.fields,
        })
    }

    /// The event back from its JSON (as the inbox stores it).
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let text = |name: &str| {
            value
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("event JSON without {name}"))
        };
        let source = match text("source")?.as_str() {
            "trigger" => Source::Trigger,
            "reconciled" => Source::Reconciled,
            other => return Err(format!("unknown event source {other:?}")),
        };
        let received_at = DateTime::parse_from_rfc3339(&text("received_at")?)
            .map_err(|e| e.to_string())?
            .with_timezone(&Utc);
        Ok(Self {
            id: text("id")?,
            kind: text("type")?,
            source,
            received_at,
            chat_id: value
                .get("chat_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            fields: value.get("fields").cloned().unwrap_or(Value::Null),
        })
    }

    /// What orders deliveries: the chat, or the event itself when it has none.
    pub fn order_key(&self) -> String {
        self.chat_id.clone().unwrap_or_else(|| self.id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bold360_sdk::trigger::{TriggerFields, TriggerVerifier};

    fn signed(body: &str) -> SignedFields {
        let url = "https://relay.example.com/chat-closed";
        let verifier = TriggerVerifier::new("k");
        let mut fields = TriggerFields::from_form(body.as_bytes());
        fields.insert("signature", verifier.sign(url, &fields).unwrap());
        verifier.verify(url, &fields).unwrap()
    }

    #[test]
    fn a_chat_closes_once_whatever_saw_it() {
        let at = Utc::now();
        let a = Event::from_trigger(
            "chat-closed",
            &signed("ChatID=42&Ended=2024-05-01T10:00:00Z&signed=ChatID%26Ended"),
            at,
        )
        .unwrap();
        let b = Event::from_trigger(
            "chat-closed",
            &signed("ChatID=42&OperatorID=7&signed=ChatID%26OperatorID"),
            at,
        )
        .unwrap();
        let c = Event::reconciled("42", json!({"ChatID": "42"}), at);
        assert_eq!(a.id, b.id);
        assert_eq!(a.id, c.id);
        assert_eq!(a.id.len(), 4 + 32);
        let other = Event::reconciled("43", json!({}), at);
        assert_ne!(a.id, other.id);
    }

    #[test]
    fn other_triggers_are_one_event_per_signed_content() {
        let at = Utc::now();
        let one = Event::from_trigger(
            "chat-message-added",
            &signed("ChatID=42&Text=hi&signed=ChatID%26Text"),
            at,
        )
        .unwrap();
        let same = Event::from_trigger(
            "chat-message-added",
            &signed("ChatID=42&Text=hi&signed=ChatID%26Text"),
            at,
        )
        .unwrap();
        let other = Event::from_trigger(
            "chat-message-added",
            &signed("ChatID=42&Text=ho&signed=ChatID%26Text"),
            at,
        )
        .unwrap();
        assert_eq!(one.id, same.id);
        assert_ne!(one.id, other.id);
    }

    #[test]
    fn fields_are_typed_and_only_the_verified_ones() {
        let at = Utc::now();
        let transcript = r#"[{"Name":"Visitor","Text":"it's broken"}]"#;
        let body = format!(
            "ChatID=9007199254740993&Ended=2024-05-01T10:00:00Z&ChatTranscript={}&Unsigned=x&signed=ChatID%26Ended%26ChatTranscript",
            bold360_sdk::trigger::encode_uri_component(transcript)
        );
        let event = Event::from_trigger("chat-closed", &signed(&body), at).unwrap();
        let json = event.to_json();
        assert_eq!(json["chat_id"], "9007199254740993");
        assert_eq!(json["fields"]["ChatID"], "9007199254740993");
        assert_eq!(json["fields"]["Ended"], "2024-05-01T10:00:00Z");
        assert_eq!(json["fields"]["ChatTranscript"][0]["Text"], "it's broken");
        assert!(json["fields"].get("Unsigned").is_none());
        assert!(json["fields"].get("signature").is_none());
        assert_eq!(Event::from_json(&json).unwrap(), event);
    }
}
