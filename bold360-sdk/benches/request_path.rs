//! The cost of the request path outside the network: signing, URL building, and decoding a
//! 1,000-record page, next to a plain `serde_json::Value` parse of the same body, and the
//! SDK's generated `getAllChatMessages` record next to a hand-written serde struct of the same
//! fields and fidelity.
//!
//! `cargo bench -p bold360-sdk --bench request_path`

use std::hint::black_box;

use bold360_sdk::{ApiVersion, Credentials, Endpoint, Id, Params};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::Deserialize;
use serde_json::{json, Value};

#[path = "support/chat_page.rs"]
mod chat_page;
use chat_page::{page_body, HandWrittenPage};

/// A typed record as generated code declares one: IDs, optional fields, unknown fields kept.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Message {
    #[serde(rename = "ChatMessageID")]
    chat_message_id: Option<Id>,
    #[serde(rename = "ChatID")]
    chat_id: Option<Id>,
    #[serde(rename = "AccountID")]
    account_id: Option<Id>,
    #[serde(rename = "Created")]
    created: Option<String>,
    #[serde(rename = "PersonType")]
    person_type: Option<i64>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Text")]
    text: Option<String>,
    #[serde(rename = "Hidden")]
    hidden: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

fn bench(c: &mut Criterion) {
    let credentials = Credentials::new("400123", "2300987", "k3y+With/Odd=Chars").unwrap();
    let endpoint = Endpoint::custom("https://api.boldchat.com").unwrap();
    let params = Params::new()
        .with("FolderID", "9007199254740993")
        .with("FromDate", "2024-05-01T00:00:00Z")
        .with("ToDate", "2024-06-01T00:00:00Z")
        .with("PageSize", 1000)
        .with("Departments", json!([{"DepartmentID": "1", "Priority": 2}]));

    c.bench_function("sign", |b| {
        b.iter(|| bold360_sdk::signing::sign(black_box(&credentials), black_box(1_732_460_400_123)))
    });
    c.bench_function("sign_and_build_url", |b| {
        b.iter(|| {
            bold360_sdk::__bench::signed_url(
                &credentials,
                black_box(1_732_460_400_123),
                &endpoint,
                ApiVersion::V1,
                "getInactiveChats",
                black_box(&params),
            )
            .unwrap()
        })
    });

    let body = page_body(1000);
    let mut group = c.benchmark_group("decode_1000_records");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&body)).unwrap())
    });
    group.bench_function("envelope_value", |b| {
        b.iter(|| bold360_sdk::__bench::decode::<Value>(black_box(&body)).unwrap())
    });
    group.bench_function("envelope_typed", |b| {
        b.iter(|| bold360_sdk::__bench::decode::<Vec<Message>>(black_box(&body)).unwrap())
    });
    // The generated record, through the SDK's decoder: what `.send()` does with the body.
    group.bench_function("generated_record", |b| {
        b.iter(|| {
            bold360_sdk::__bench::decode::<
                bold360_sdk::Records<bold360_sdk::methods::get_all_chat_messages::Record>,
            >(black_box(&body))
            .unwrap()
        })
    });
    // The same fields decoded by plain serde, as a hand-written client would.
    group.bench_function("hand_written_same_fields", |b| {
        b.iter(|| serde_json::from_slice::<HandWrittenPage>(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
