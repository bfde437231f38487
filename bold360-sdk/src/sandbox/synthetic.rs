//! Records for methods without hand-written state, derived from the manifest's return fields:
//! every documented field gets a value of its type, IDs point at the seeded chats, agents,
//! departments and folders where the field's entity says what they are, IDs of other entities
//! are the same across methods (the 3rd visit of `getConversions` is the visit `getVisit`
//! serves under that ID), enums cycle through their documented values, and some records carry
//! a field the manifest does not list. Paged methods get more records than two of the
//! server's pages hold, so paging shows in every style with the default page size.

use bold360_api_spec::{DataShape, Method, TypeRef};
use chrono::Duration;
use serde_json::{json, Value};

use super::data::{iso, Record, Store, ACCOUNT_ID, ID_BASE, SEEDED_REPORT_ID};

/// How many records a method without state has, unless its pages cannot be made smaller.
pub(crate) const COUNT: usize = 60;

/// Records of `spec`: two full pages of the server's cap and a part for a method that pages
/// (in either version), so paging shows with the server's own page size; [`COUNT`] for the
/// rest (and for a paged method whose pages the docs give no cap, which the sandbox serves
/// in one page).
fn count(spec: &Method) -> usize {
    match (spec.paging.is_some(), spec.max_page_size) {
        (true, Some(cap)) => cap as usize * 2 + 37,
        _ => COUNT,
    }
}

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

/// The `i`-th ID of `entity`: a seeded record's where the sandbox keeps state for it, else
/// one from a range of its own (the same in every method).
fn id_for(store: &Store, entity: &str, i: usize) -> Value {
    match entity {
        "chat" => pick(store.chats(), "ChatID", i * 7),
        "operator" | "actor" => pick(&store.operators, "LoginID", i),
        "department" => pick(&store.departments, "DepartmentID", i),
        "folder" => pick(&store.folders, "FolderID", i),
        "account" => json!(ACCOUNT_ID.to_string()),
        "report" => json!(SEEDED_REPORT_ID.to_string()),
        other => {
            json!((ID_BASE + 500_000_000 + (seed(other) % 1000) * 1_000_000 + i as u64).to_string())
        }
    }
}

/// The distinct IDs of `entity` the records use, in order.
pub(crate) fn ids(store: &Store, entity: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in 0..COUNT {
        if let Value::String(id) = id_for(store, entity, i) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// The records of `spec`.
pub(crate) fn records(store: &Store, spec: &Method) -> Vec<Record> {
    let seed = seed(&spec.name);
    let t0 = store.t0;
    (0..count(spec))
        .map(|i| {
            let mut record = Record::new();
            for field in &spec.returns {
                // A paged method's records all match its required filters' first value (the
                // first ID, the first enum value), so paging through them goes past one page.
                let filter = spec.paging.is_some()
                    && spec
                        .params
                        .iter()
                        .any(|p| p.required && p.name == field.name);
                let i = if filter { 0 } else { i };
                let value = match &field.ty {
                    TypeRef::Id => id_for(store, &field.id_entity().unwrap_or_default(), i),
                    TypeRef::Integer | TypeRef::Count => json!((i as u64 * 7 + seed % 13) % 100),
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
            // The ID a required parameter selects by is in the record even when the vendor's
            // (cut-off) table does not list it, as the service sends it. Single items have one
            // each; lists share each key among several records; a paged method's records all
            // belong to the entity's first ID, so paging through them goes past one page.
            for param in spec.params.iter().filter(|p| p.required) {
                if let Some(entity) = param.id_entity() {
                    if !record.contains_key(&param.name) {
                        let key = match (spec.data, spec.paging.is_some()) {
                            (DataShape::Array, true) => 0,
                            (DataShape::Array, false) => i % 10,
                            _ => i,
                        };
                        record.insert(param.name.clone(), id_for(store, &entity, key));
                    }
                }
            }
            if let Some(time) = time_field(spec) {
                if !record.contains_key(time) {
                    let at = t0 + Duration::minutes(i as i64 * 53 + (seed % 60) as i64);
                    record.insert(time.to_owned(), json!(iso(at)));
                }
            }
            if i % 7 == 0 {
                record.insert("SandboxExtra".to_owned(), json!(format!("extra-{i}")));
            }
            record
        })
        .collect()
}

/// The field a date window filters on: the manifest's (`Method::window_field`), else, for a
/// method that takes a window but whose cut-off field list names no date, `Created`, which
/// its records then carry (as the service's do).
pub(crate) fn time_field(spec: &Method) -> Option<&str> {
    spec.window_field()
        .or_else(|| spec.has_date_window().then_some("Created"))
}
