//! The Singer catalog: what `--discover` prints, and which streams and fields a `--catalog`
//! selects (a stream's `selected`, else its `selected-by-default`; a field deselected unless
//! its inclusion is `automatic`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::schema::stream_schema;
use super::streams::{Replication, StreamPlan};
use crate::fail::Failure;

fn replication_method(plan: &StreamPlan) -> &'static str {
    match plan.replication {
        Replication::FullTable => "FULL_TABLE",
        Replication::Incremental { .. } => "INCREMENTAL",
    }
}

/// One stream's catalog entry.
pub fn entry(plan: &StreamPlan) -> Value {
    let schema = stream_schema(plan);
    let mut top = json!({
        "inclusion": "available",
        "selected-by-default": true,
        "table-key-properties": plan.key,
        "forced-replication-method": replication_method(plan),
        "replication-method": replication_method(plan),
    });
    if let Some(key) = plan.replication.key() {
        top["valid-replication-keys"] = json!([key]);
        top["replication-key"] = json!(key);
    }
    if let Some(parent) = plan.parent() {
        top["parent-tap-stream-id"] = json!(parent);
    }
    let mut metadata = vec![json!({ "breadcrumb": [], "metadata": top })];
    if let Some(props) = schema["properties"].as_object() {
        for name in props.keys() {
            let automatic = plan.is_automatic(name);
            metadata.push(json!({
                "breadcrumb": ["properties", name],
                "metadata": {
                    "inclusion": if automatic { "automatic" } else { "available" },
                    "selected-by-default": true,
                },
            }));
        }
    }
    let mut entry = json!({
        "tap_stream_id": plan.name,
        "stream": plan.name,
        "schema": schema,
        "key_properties": plan.key,
        "replication_method": replication_method(plan),
        "metadata": metadata,
    });
    if let Some(key) = plan.replication.key() {
        entry["replication_key"] = json!(key);
    }
    entry
}

/// The whole catalog.
pub fn discover(plans: &[StreamPlan]) -> Value {
    json!({ "streams": plans.iter().map(entry).collect::<Vec<_>>() })
}

/// What a catalog selects: stream → the fields it drops (deselected, not automatic).
pub type Selection = BTreeMap<String, Vec<String>>;

fn bad(at: &str, reason: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("catalog: {at}: {reason}"))
}

/// Reads a catalog file and returns what it selects, refusing a stream the tap does not have.
pub fn load(path: &Path, plans: &[StreamPlan]) -> Result<Selection, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("catalog: cannot read {}: {e}", path.display())))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("catalog: {} is not JSON: {e}", path.display())))?;
    selection(&value, plans)
}

/// [`load`] from a JSON value.
pub fn selection(value: &Value, plans: &[StreamPlan]) -> Result<Selection, Failure> {
    let streams = value
        .get("streams")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("the catalog", "needs a \"streams\" array"))?;
    let mut selected = Selection::new();
    for (i, s) in streams.iter().enumerate() {
        let at = format!("streams[{i}]");
        let id = s
            .get("tap_stream_id")
            .or_else(|| s.get("stream"))
            .and_then(Value::as_str)
            .ok_or_else(|| bad(&at, "needs a \"tap_stream_id\""))?;
        let Some(plan) = plans.iter().find(|p| p.name == id) else {
            let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
            let hint = bold360_sdk::closest_name(id, names.iter().copied())
                .map(|n| format!("; did you mean {n}?"))
                .unwrap_or_default();
            return Err(bad(
                &at,
                format!("{id:?} is not a stream of tap-bold360 (see --discover){hint}"),
            ));
        };
        let metadata = match s.get("metadata") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(m)) => m.as_slice(),
            Some(_) => return Err(bad(&format!("{at}.metadata"), "must be an array")),
        };
        let mut stream_selected = None;
        let mut by_default = true;
        let mut dropped = Vec::new();
        for (j, m) in metadata.iter().enumerate() {
            let at = format!("{at}.metadata[{j}]");
            let breadcrumb = m
                .get("breadcrumb")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(&at, "needs a \"breadcrumb\" array"))?;
            let meta = m
                .get("metadata")
                .and_then(Value::as_object)
                .ok_or_else(|| bad(&at, "needs a \"metadata\" object"))?;
            let flag = |key: &str| -> Result<Option<bool>, Failure> {
                match meta.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::Bool(b)) => Ok(Some(*b)),
                    Some(_) => Err(bad(
                        &format!("{at}.metadata.{key}"),
                        "must be true or false",
                    )),
                }
            };
            match breadcrumb.as_slice() {
                [] => {
                    stream_selected = flag("selected")?;
                    by_default = flag("selected-by-default")?.unwrap_or(true);
                }
                [p, name] if p == "properties" => {
                    let name = name.as_str().unwrap_or_default();
                    if flag("selected")? == Some(false) && !plan.is_automatic(name) {
                        dropped.push(name.to_owned());
                    }
                }
                _ => {}
            }
        }
        if stream_selected.unwrap_or(by_default) {
            selected.insert(id.to_owned(), dropped);
        }
    }
    Ok(selected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bold360_api_spec::{Manifest, Version};

    #[test]
    fn discovery_and_selection_agree_and_unknown_streams_are_refused() {
        let (plans, _) = super::super::streams::plan(&Manifest::embedded().unwrap(), Version::V1);
        let mut catalog = discover(&plans);
        assert_eq!(
            selection(&catalog, &plans).unwrap().len(),
            plans.len(),
            "all selected by default"
        );
        let messages = catalog["streams"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| s["tap_stream_id"] == "getAllChatMessages")
            .unwrap();
        let stream = &mut catalog["streams"][messages];
        assert_eq!(stream["replication_key"], "Created");
        assert_eq!(stream["key_properties"], json!(["ChatMessageID"]));
        for m in stream["metadata"].as_array_mut().unwrap() {
            if m["breadcrumb"] == json!(["properties", "Name"])
                || m["breadcrumb"] == json!(["properties", "ChatMessageID"])
            {
                m["metadata"]["selected"] = json!(false);
            }
        }
        let only = json!({ "streams": [stream.clone()] });
        let chosen = selection(&only, &plans).unwrap();
        assert_eq!(chosen.len(), 1);
        assert_eq!(
            chosen["getAllChatMessages"],
            ["Name"],
            "a key field cannot be dropped"
        );
        let mut off = only.clone();
        off["streams"][0]["metadata"][0]["metadata"]["selected"] = json!(false);
        assert!(selection(&off, &plans).unwrap().is_empty());
        let mut unknown = only.clone();
        unknown["streams"][0]["tap_stream_id"] = json!("getAllChatMesages");
        let message = selection(&unknown, &plans).unwrap_err().message;
        assert!(
            message.contains("\"getAllChatMesages\" is not a stream")
                && message.contains("did you mean getAllChatMessages"),
            "{message}"
        );
        assert!(selection(&json!({}), &plans)
            .unwrap_err()
            .message
            .contains("streams"));
    }

    fn plans() -> Vec<StreamPlan> {
        super::super::streams::plan(&Manifest::embedded().unwrap(), Version::V1).0
    }

    fn stream<'a>(catalog: &'a Value, name: &str) -> &'a Value {
        catalog["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["tap_stream_id"] == name)
            .unwrap()
    }

    fn field_inclusion<'a>(stream: &'a Value, field: &str) -> &'a Value {
        &stream["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["breadcrumb"] == json!(["properties", field]))
            .unwrap()["metadata"]["inclusion"]
    }

    #[test]
    fn entries_say_how_each_stream_is_replicated_and_which_fields_are_automatic() {
        let catalog = discover(&plans());
        let messages = stream(&catalog, "getAllChatMessages");
        assert_eq!(messages["replication_method"], "INCREMENTAL");
        assert_eq!(messages["metadata"][0]["breadcrumb"], json!([]));
        let top = &messages["metadata"][0]["metadata"];
        assert_eq!(top["forced-replication-method"], "INCREMENTAL");
        assert_eq!(top["replication-method"], "INCREMENTAL");
        assert_eq!(top["replication-key"], "Created");
        assert_eq!(top["valid-replication-keys"], json!(["Created"]));
        assert_eq!(top["table-key-properties"], json!(["ChatMessageID"]));
        assert_eq!(field_inclusion(messages, "ChatMessageID"), "automatic");
        assert_eq!(field_inclusion(messages, "Created"), "automatic");
        assert_eq!(field_inclusion(messages, "Name"), "available");
        let operators = stream(&catalog, "getOperators");
        assert_eq!(operators["replication_method"], "FULL_TABLE");
        assert_eq!(
            operators["metadata"][0]["metadata"]["forced-replication-method"],
            "FULL_TABLE"
        );
        assert!(operators.get("replication_key").is_none());
        assert_eq!(field_inclusion(operators, "LoginID"), "automatic");
        assert_eq!(field_inclusion(operators, "Name"), "available");
        let inactive = stream(&catalog, "getInactiveChats");
        assert_eq!(
            inactive["metadata"][0]["metadata"]["parent-tap-stream-id"],
            "getFolders"
        );
    }

    #[test]
    fn only_property_breadcrumbs_deselect_fields_and_a_file_loads_like_a_value() {
        let plans = plans();
        let catalog = json!({"streams": [{
            "tap_stream_id": "getOperators",
            "metadata": [
                {"breadcrumb": [], "metadata": {"selected": true}},
                {"breadcrumb": ["properties", "Email"], "metadata": {"selected": false}},
                {"breadcrumb": ["definitions", "Name"], "metadata": {"selected": false}},
            ],
        }]});
        let chosen = selection(&catalog, &plans).unwrap();
        assert_eq!(chosen["getOperators"], ["Email"]);
        let path =
            std::env::temp_dir().join(format!("bold360-catalog-{}.json", std::process::id()));
        std::fs::write(&path, catalog.to_string()).unwrap();
        assert_eq!(load(&path, &plans).unwrap(), chosen);
        std::fs::write(&path, "{streams").unwrap();
        let message = load(&path, &plans).unwrap_err().message;
        let _ = std::fs::remove_file(&path);
        assert!(message.contains("is not JSON"), "{message}");
        // A stream that is not selected but selected by default is read; one off by default
        // is not.
        let by_default = json!({"streams": [
            {"tap_stream_id": "getOperators", "metadata": [{"breadcrumb": [], "metadata": {"selected-by-default": false}}]},
            {"stream": "getFolders", "metadata": [{"breadcrumb": [], "metadata": {"selected-by-default": true}}]},
        ]});
        let chosen = selection(&by_default, &plans).unwrap();
        assert_eq!(chosen.keys().collect::<Vec<_>>(), ["getFolders"]);
        let bad = json!({"streams": [{"tap_stream_id": "getOperators", "metadata": [{"breadcrumb": [], "metadata": {"selected": "yes"}}]}]});
        let message = selection(&bad, &plans).unwrap_err().message;
        assert!(
            message.contains("streams[0].metadata[0].metadata.selected"),
            "{message}"
        );
    }
}
