//! The 1,000-record `getAllChatMessages` page the request-path benchmarks share, and the
//! structs a careful hand-written client would decode it into.
#![allow(dead_code)]

use bold360_sdk::Id;
use serde::Deserialize;
use serde_json::{json, Value};

/// What a careful hand-written client would declare for the same fields as the SDK's generated
/// `getAllChatMessages` record, with the same fidelity: IDs exact, times parsed, unknown
/// fields kept. (It is stricter than the generated record, which keeps a misfit value raw
/// instead of failing the page.)
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct SameFields {
    #[serde(rename = "AccountID")]
    account_id: Option<Id>,
    #[serde(rename = "CannedMessageID")]
    canned_message_id: Option<String>,
    #[serde(rename = "ChatID")]
    chat_id: Option<Id>,
    #[serde(rename = "ChatMessageID")]
    chat_message_id: Option<Id>,
    #[serde(rename = "Created")]
    created: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(rename = "Deleted")]
    deleted: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(rename = "HasAutoTranslationError")]
    has_auto_translation_error: Option<i64>,
    #[serde(rename = "Hidden")]
    hidden: Option<i64>,
    #[serde(rename = "LanguageCode")]
    language_code: Option<String>,
    #[serde(rename = "MessageKey")]
    message_key: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "OriginalMessageID")]
    original_message_id: Option<Id>,
    #[serde(rename = "PersonID")]
    person_id: Option<Id>,
    #[serde(rename = "PersonType")]
    person_type: Option<i64>,
    #[serde(rename = "SystemMessage")]
    system_message: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

/// The hand-written client's envelope.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct HandWrittenPage {
    #[serde(rename = "Status")]
    status: String,
    #[serde(rename = "Truncated")]
    truncated: Option<bool>,
    #[serde(rename = "NextPage")]
    next_page: Option<String>,
    #[serde(rename = "Data")]
    pub data: Vec<SameFields>,
}

pub fn page_body(records: usize) -> Vec<u8> {
    let data: Vec<Value> = (0..records)
        .map(|i| {
            json!({
                "AccountID": "100001",
                "ChatMessageID": (9_007_199_254_740_993u64 + i as u64).to_string(),
                "ChatID": 9_007_199_254_800_000u64 + (i / 3) as u64,
                "Created": "2024-05-01T10:00:00Z",
                "PersonType": i % 2,
                "Name": "Visitor 12",
                "Text": "Hello, I have a question about my order #5012 – can you help?",
                "Hidden": null,
                "LanguageCode": "en",
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "Status": "success",
        "Truncated": true,
        "NextPage": "c2FuZGJveC1vZmZzZXQ6MTAwMA",
        "Data": data,
    }))
    .unwrap()
}
