//! A stream's JSON Schema, and its records made to fit it, from the manifest's types: one
//! table ([`field_schema`], [`field_value`]) for both.
//!
//! IDs are strings of exact digits (a Bold360 ID above 2^53 reaches a database unchanged),
//! date-times RFC 3339 UTC with `format: date-time`, every field nullable, enumerations their
//! wire value as text. Fields the manifest does not list are kept, as sent, in one object
//! field, [`EXTRA`] (as the SDK's typed records keep them in `extra`): every target has a
//! column for it (JSON in PostgreSQL, JSON text in CSV), where a field outside the schema
//! would be dropped or refused. A value is read by the SDK's wire rules (`bold360_sdk::wire`): an
//! ID sent as a number, a count sent as text, `""` for absent all fit.

use bold360_api_spec::{Method, TypeRef};
use bold360_sdk::chrono::{DateTime, SecondsFormat, Utc};
use bold360_sdk::wire::{self, Wire};
use bold360_sdk::Id;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use super::streams::StreamPlan;

/// The field that holds a record's undocumented fields (`null` when it has none).
pub const EXTRA: &str = "extra";

/// The schema of one field of type `ty`.
pub fn field_schema(method: &Method, ty: &TypeRef, description: &str) -> Value {
    let mut schema = match ty {
        TypeRef::Id => json!({ "type": ["string", "null"] }),
        TypeRef::Integer => json!({ "type": ["integer", "null"] }),
        TypeRef::Count => json!({ "type": ["integer", "null"], "minimum": 0 }),
        TypeRef::Number => json!({ "type": ["number", "null"] }),
        TypeRef::Boolean => json!({ "type": ["boolean", "null"] }),
        TypeRef::String => json!({ "type": ["string", "null"] }),
        TypeRef::Datetime => json!({ "type": ["string", "null"], "format": "date-time" }),
        TypeRef::Json => {
            json!({ "type": ["object", "array", "string", "number", "boolean", "null"] })
        }
        TypeRef::Enum(name) => json!({
            "type": ["string", "null"],
            "description": format!("One of: {}.", method.enum_text(name)),
        }),
    };
    if !description.is_empty() {
        let text = match schema.get("description").and_then(Value::as_str) {
            Some(values) => format!("{description} {values}"),
            None => description.to_owned(),
        };
        schema["description"] = json!(text);
    }
    schema
}

/// The stream's schema: every documented field, the driving parameters of a child, and room
/// for fields the manifest does not list.
pub fn stream_schema(plan: &StreamPlan) -> Value {
    let m = &plan.method;
    let mut properties = Map::new();
    for f in &m.returns {
        properties.insert(f.name.clone(), field_schema(m, &f.ty, &f.description));
    }
    for d in &plan.drivers {
        if let Some(p) = m.param(d.param()) {
            properties
                .entry(p.name.clone())
                .or_insert_with(|| field_schema(m, &p.ty, &p.description));
        }
    }
    properties.insert(
        EXTRA.to_owned(),
        json!({
            "type": ["object", "null"],
            "description": "Fields the vendor's reference does not list, under their wire names, as sent.",
            "additionalProperties": true,
        }),
    );
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if let Some(reason) = &m.returns_incomplete {
        schema["description"] = json!(format!(
            "The vendor's field list is incomplete ({reason}); more fields arrive and are kept."
        ));
    }
    schema
}

fn read<T: Wire>(raw: &RawValue) -> Result<Option<T>, String> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    wire::deserialize_opt::<_, T>(&mut de).map_err(|e| e.to_string())
}

/// A field's value made to fit [`field_schema`]; `Err` says why it does not.
pub fn field_value(ty: &TypeRef, raw: &RawValue) -> Result<Value, String> {
    Ok(match ty {
        TypeRef::Id => read::<Id>(raw)?.map_or(Value::Null, |id| json!(id.as_str())),
        TypeRef::Integer | TypeRef::Count => read::<i64>(raw)?.map_or(Value::Null, |n| json!(n)),
        TypeRef::Number => read::<f64>(raw)?.map_or(Value::Null, |n| json!(n)),
        TypeRef::Boolean => read::<bool>(raw)?.map_or(Value::Null, |b| json!(b)),
        TypeRef::String | TypeRef::Enum(_) => {
            read::<String>(raw)?.map_or(Value::Null, |s| json!(s))
        }
        TypeRef::Datetime => read::<DateTime<Utc>>(raw)?.map_or(Value::Null, |t| {
            json!(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }),
        TypeRef::Json => serde_json::from_str(raw.get()).map_err(|e| e.to_string())?,
    })
}

/// A record as the stream emits it: documented fields fitted to their types, the rest as sent
/// under [`EXTRA`]. A documented value that does not fit its type is kept there too, and the
/// field is `null`, with a warning naming method and field: nothing is lost.
pub fn record(method: &Method, raw: &RawValue) -> Result<Map<String, Value>, String> {
    let fields: indexmap::IndexMap<String, Box<RawValue>> = serde_json::from_str(raw.get())
        .map_err(|e| format!("a record is not a JSON object: {e}"))?;
    let mut out = Map::new();
    let mut extra = Map::new();
    for (name, value) in fields {
        match method.returns.iter().find(|f| f.name == name) {
            Some(field) => {
                let fitted = field_value(&field.ty, &value).unwrap_or_else(|why| {
                    tracing::warn!(method = %method.name, field = %name, %why, "a value does not fit its documented type: kept in extra");
                    if let Ok(v) = serde_json::from_str(value.get()) {
                        extra.insert(name.clone(), v);
                    }
                    Value::Null
                });
                out.insert(name, fitted);
            }
            None => {
                extra.insert(
                    name,
                    serde_json::from_str(value.get()).map_err(|e| e.to_string())?,
                );
            }
        }
    }
    out.insert(
        EXTRA.to_owned(),
        if extra.is_empty() {
            Value::Null
        } else {
            Value::Object(extra)
        },
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn field_schemas_follow_the_manifest_types_and_carry_descriptions() {
        let manifest = bold360_api_spec::Manifest::embedded().unwrap();
        let m = manifest.method("getAllChatMessages").unwrap();
        assert_eq!(
            field_schema(m, &TypeRef::Id, ""),
            json!({ "type": ["string", "null"] }),
            "IDs are exact digits as text; no description when there is none"
        );
        assert_eq!(
            field_schema(m, &TypeRef::Count, "How many."),
            json!({ "type": ["integer", "null"], "minimum": 0, "description": "How many." })
        );
        assert_eq!(
            field_schema(m, &TypeRef::Datetime, "")["format"],
            "date-time"
        );
        let (name, values) = m
            .enums
            .iter()
            .next()
            .expect("getAllChatMessages has an enum");
        let schema = field_schema(m, &TypeRef::Enum(name.clone()), "The kind.");
        let text = schema["description"].as_str().unwrap();
        let (value, meaning) = values.iter().next().unwrap();
        assert!(
            text.starts_with("The kind. One of: ")
                && text.contains(&format!("{value} = {meaning}")),
            "{text}"
        );
    }

    #[test]
    fn values_fit_their_schema_whatever_form_the_wire_uses() {
        let big = "9007199254740993";
        assert_eq!(
            field_value(&TypeRef::Id, &raw(big)).unwrap(),
            json!(big),
            "a number above 2^53 stays exact"
        );
        assert_eq!(
            field_value(&TypeRef::Id, &raw(&format!("\"{big}\""))).unwrap(),
            json!(big)
        );
        assert_eq!(
            field_value(&TypeRef::Id, &raw("\"\"")).unwrap(),
            Value::Null
        );
        assert_eq!(
            field_value(&TypeRef::Count, &raw("\"12\"")).unwrap(),
            json!(12)
        );
        assert_eq!(
            field_value(&TypeRef::Boolean, &raw("1")).unwrap(),
            json!(true)
        );
        assert_eq!(
            field_value(&TypeRef::Enum("X".into()), &raw("3")).unwrap(),
            json!("3")
        );
        assert_eq!(
            field_value(&TypeRef::Datetime, &raw("\"2024-05-01 10:00:00\"")).unwrap(),
            json!("2024-05-01T10:00:00Z")
        );
        assert_eq!(
            field_value(&TypeRef::Json, &raw("[1,2]")).unwrap(),
            json!([1, 2])
        );
        assert!(field_value(&TypeRef::Integer, &raw("\"many\"")).is_err());
    }

    #[test]
    fn records_keep_undocumented_fields_and_null_what_does_not_fit() {
        let manifest = bold360_api_spec::Manifest::embedded().unwrap();
        let m = manifest.method("getAllChatMessages").unwrap();
        let r = record(m, &raw(r#"{"ChatMessageID": 9007199254740993, "Created": "2024-01-01T00:00:00Z", "Hidden": "x", "New": {"a": 1}}"#)).unwrap();
        assert_eq!(r["ChatMessageID"], "9007199254740993");
        assert_eq!(r["Created"], "2024-01-01T00:00:00Z");
        assert_eq!(r["Hidden"], Value::Null);
        assert_eq!(
            r[EXTRA],
            json!({"Hidden": "x", "New": {"a": 1}}),
            "nothing is lost"
        );
        let plain = record(m, &raw(r#"{"ChatMessageID": "1"}"#)).unwrap();
        assert_eq!(plain[EXTRA], Value::Null);
        assert!(record(m, &raw("[1]")).is_err());
    }
}
