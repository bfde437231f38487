//! Records for methods without hand-written state, derived from the manifest's return fields:
//! every documented field gets a value of its type, IDs point at the seeded chats, agents,
//! departments and folders where the field name says what they are, enums cycle through their
//! documented values, and some records carry a field the manifest does not list.

use bold360_api_spec::{Method, TypeRef};
use chrono::Duration;
use serde_json::{json, Value};

use super::data::{epoch, iso, Record, Store, ACCOUNT_ID, ID_BASE};

/// How many records a method without state has.
pub(crate) const COUNT: usize = 60;

/// A stable number from a method name (FNV-1a), so data does not depend on call order.
fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn pick(records: &[Record], field: &str, i: usize) -> Value {
    records
        .get(i % records.len().max(1))
        .and_then(|r| r.get(field))
        .cloned()
        .unwrap_or(Value::Null)
}

fn id_for(store: &Store, name: &str, i: usize, seed: u64) -> Value {
    if name.ends_with("ChatID") {
        pick(&store.chats, "ChatID", i * 7)
    } else if name.ends_with("OperatorID") || name == "LoginID" || name == "EndedBy" {
        pick(&store.operators, "LoginID", i)
    } else if name.ends_with("DepartmentID") {
        pick(&store.departments, "DepartmentID", i)
    } else if name.ends_with("FolderID") && !name.contains("Setup") {
        pick(&store.folders, "FolderID", i)
    } else if name == "AccountID" {
        json!(ACCOUNT_ID.to_string())
    } else {
        json!((ID_BASE + 500_000_000 + (seed % 1000) * 1_000_000 + i as u64).to_string())
    }
}

/// The records of `spec`.
pub(crate) fn records(store: &Store, spec: &Method) -> Vec<Record> {
    let seed = seed(&spec.name);
    let t0 = epoch();
    (0..COUNT)
        .map(|i| {
            let mut record = Record::new();
            for field in &spec.returns {
                let value = match &field.ty {
                    TypeRef::Id => id_for(store, &field.name, i, seed),
                    TypeRef::Integer => json!((i as u64 * 7 + seed % 13) % 100),
                    TypeRef::Number => json!(i as f64 * 1.5),
                    TypeRef::Boolean => json!(i % 2 == 0),
                    TypeRef::String => json!(format!("{} {}", field.name, i + 1)),
                    TypeRef::Datetime => json!(iso(
                        t0 + Duration::minutes(i as i64 * 53 + (seed % 60) as i64)
                    )),
                    TypeRef::Json => json!([]),
                    TypeRef::Enum(name) => spec
                        .enums
                        .get(name)
                        .and_then(|values| values.keys().nth(i % values.len().max(1)))
                        .map(|wire| {
                            wire.parse::<i64>()
                                .map_or_else(|_| json!(wire), |n| json!(n))
                        })
                        .unwrap_or(Value::Null),
                };
                record.insert(field.name.clone(), value);
            }
            if i % 7 == 0 {
                record.insert("SandboxExtra".to_owned(), json!(format!("extra-{i}")));
            }
            record
        })
        .collect()
}

/// The field a date window filters on: the first of the usual ones the records have.
pub(crate) fn time_field(spec: &Method) -> Option<&str> {
    ["Created", "Started", "Ended", "Answered", "Updated"]
        .into_iter()
        .find(|name| {
            spec.returns
                .iter()
                .any(|f| f.name == *name && f.ty == TypeRef::Datetime)
        })
}
