//! Bookmarks, in the state format Meltano's SDK writes: per stream
//! `{"replication_key": …, "replication_key_value": …}`, and for a child stream one such entry
//! per parent under `partitions` with its `context`. The value is the end of the last date
//! window read completely: every record before it has been emitted.

use std::collections::BTreeMap;
use std::path::Path;

use bold360_sdk::chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::fail::Failure;

/// A partition's context: driving parameter → value (empty for a root stream).
pub type Context = BTreeMap<String, String>;

/// One partition's bookmark: the replication key (if documented) and the end of the last
/// window read completely.
type Bookmark = (Option<String>, DateTime<Utc>);

/// All bookmarks: stream → context → bookmark.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct State {
    bookmarks: BTreeMap<String, BTreeMap<Context, Bookmark>>,
    /// Entries of streams this tap does not have, passed through untouched.
    foreign: Map<String, Value>,
}

fn bad(at: &str, reason: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("state: {at}: {reason}"))
}

fn entry(at: &str, value: &Value) -> Result<(Option<String>, Option<DateTime<Utc>>), Failure> {
    let object = value
        .as_object()
        .ok_or_else(|| bad(at, "must be an object"))?;
    let key = match object.get("replication_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad(&format!("{at}.replication_key"), "must be a string")),
    };
    let value = match object.get("replication_key_value") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    bad(
                        &format!("{at}.replication_key_value"),
                        format!("{s:?} is not an RFC 3339 date-time"),
                    )
                })?
                .with_timezone(&Utc),
        ),
        Some(_) => {
            return Err(bad(
                &format!("{at}.replication_key_value"),
                "must be an RFC 3339 date-time string",
            ))
        }
    };
    Ok((key, value))
}

impl State {
    /// Reads a state file (`{"bookmarks": {…}}`, or a STATE message's `value`), refusing anything
    /// malformed with where it is.
    pub fn load(path: &Path, streams: &[&str]) -> Result<State, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("state: cannot read {}: {e}", path.display())))?;
        // An empty file is a state with no bookmarks yet (`touch state.json` before a first run).
        if text.trim().is_empty() {
            return Ok(State::default());
        }
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::usage(format!("state: {} is not JSON: {e}", path.display())))?;
        Self::from_value(&value, streams)
    }

    /// [`load`](Self::load) from a JSON value.
    pub fn from_value(value: &Value, streams: &[&str]) -> Result<State, Failure> {
        let object = value
            .as_object()
            .ok_or_else(|| bad("the state", "must be a JSON object"))?;
        let mut state = State::default();
        let bookmarks = match object.get("bookmarks") {
            None | Some(Value::Null) => return Ok(state),
            Some(Value::Object(b)) => b,
            Some(_) => return Err(bad("bookmarks", "must be an object")),
        };
        for (stream, value) in bookmarks {
            let at = format!("bookmarks.{stream}");
            if !streams.contains(&stream.as_str()) {
                state.foreign.insert(stream.clone(), value.clone());
                continue;
            }
            let mut contexts = BTreeMap::new();
            if let (key, Some(end)) = entry(&at, value)? {
                contexts.insert(Context::new(), (key, end));
            }
            match value.get("partitions") {
                None | Some(Value::Null) => {}
                Some(Value::Array(partitions)) => {
                    for (i, p) in partitions.iter().enumerate() {
                        let at = format!("{at}.partitions[{i}]");
                        let context = p
                            .get("context")
                            .and_then(Value::as_object)
                            .ok_or_else(|| bad(&at, "needs a \"context\" object"))?;
                        let mut ctx = Context::new();
                        for (k, v) in context {
                            let v = match v {
                                Value::String(s) => s.clone(),
                                Value::Number(n) => n.to_string(),
                                _ => {
                                    return Err(bad(
                                        &format!("{at}.context.{k}"),
                                        "must be a string",
                                    ))
                                }
                            };
                            ctx.insert(k.clone(), v);
                        }
                        if let (key, Some(end)) = entry(&at, p)? {
                            contexts.insert(ctx, (key, end));
                        }
                    }
                }
                Some(_) => return Err(bad(&format!("{at}.partitions"), "must be an array")),
            }
            state.bookmarks.insert(stream.clone(), contexts);
        }
        Ok(state)
    }

    /// Where a partition's next window starts: its bookmark, if any.
    pub fn bookmark(&self, stream: &str, context: &Context) -> Option<DateTime<Utc>> {
        self.bookmarks
            .get(stream)?
            .get(context)
            .map(|(_, end)| *end)
    }

    /// Records that every window of the partition up to `end` has been read.
    pub fn advance(
        &mut self,
        stream: &str,
        context: &Context,
        key: Option<&str>,
        end: DateTime<Utc>,
    ) {
        self.bookmarks
            .entry(stream.to_owned())
            .or_default()
            .insert(context.clone(), (key.map(str::to_owned), end));
    }

    /// The state as JSON, in the format [`load`](Self::load) reads.
    pub fn to_value(&self) -> Value {
        let mut bookmarks = self.foreign.clone();
        for (stream, contexts) in &self.bookmarks {
            let mut entry = Map::new();
            let mut partitions = Vec::new();
            for (context, (key, end)) in contexts {
                let value = end.to_rfc3339_opts(SecondsFormat::AutoSi, true);
                if context.is_empty() {
                    entry.insert("replication_key".into(), json!(key));
                    entry.insert("replication_key_value".into(), json!(value));
                } else {
                    partitions.push(json!({ "context": context, "replication_key": key, "replication_key_value": value }));
                }
            }
            if !partitions.is_empty() {
                entry.insert("partitions".into(), Value::Array(partitions));
            }
            bookmarks.insert(stream.clone(), Value::Object(entry));
        }
        json!({ "bookmarks": bookmarks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_malformed_state_names_the_place() {
        let text = json!({"bookmarks": {
            "getAllChatMessages": {"replication_key": "Created", "replication_key_value": "2024-01-02T00:00:00Z"},
            "getInactiveChats": {"partitions": [{"context": {"FolderID": "7"}, "replication_key": null, "replication_key_value": "2024-01-03T00:00:00Z"}]},
            "someOtherTap": {"x": 1}
        }});
        let streams = ["getAllChatMessages", "getInactiveChats"];
        let state = State::from_value(&text, &streams).unwrap();
        assert_eq!(state.to_value(), text);
        let ctx = Context::from([("FolderID".to_owned(), "7".to_owned())]);
        assert_eq!(
            state
                .bookmark("getInactiveChats", &ctx)
                .unwrap()
                .to_rfc3339(),
            "2024-01-03T00:00:00+00:00"
        );
        assert_eq!(state.bookmark("getInactiveChats", &Context::new()), None);
        for (bad, place) in [
            (json!([1]), "the state"),
            (json!({"bookmarks": 3}), "bookmarks"),
            (
                json!({"bookmarks": {"getAllChatMessages": {"replication_key_value": "yesterday"}}}),
                "bookmarks.getAllChatMessages.replication_key_value",
            ),
            (
                json!({"bookmarks": {"getAllChatMessages": {"replication_key_value": 5}}}),
                "bookmarks.getAllChatMessages.replication_key_value",
            ),
            (
                json!({"bookmarks": {"getInactiveChats": {"partitions": [{"replication_key_value": "2024-01-01T00:00:00Z"}]}}}),
                "bookmarks.getInactiveChats.partitions[0]",
            ),
            (
                json!({"bookmarks": {"getInactiveChats": {"partitions": {}}}}),
                "bookmarks.getInactiveChats.partitions",
            ),
        ] {
            let message = State::from_value(&bad, &streams).unwrap_err().message;
            assert!(message.contains(place), "{message} names {place}");
        }
    }

    #[test]
    fn a_file_loads_an_empty_one_is_no_bookmarks_and_unreadable_ones_say_why() {
        let dir = std::env::temp_dir().join(format!("bold360-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let streams = ["getAllChatMessages"];
        let file = dir.join("state.json");
        std::fs::write(
            &file,
            r#"{"bookmarks": {"getAllChatMessages": {"replication_key": "Created", "replication_key_value": "2024-01-02T00:00:00Z"}}}"#,
        )
        .unwrap();
        let state = State::load(&file, &streams).unwrap();
        assert_eq!(
            state.bookmark("getAllChatMessages", &Context::new()),
            Some("2024-01-02T00:00:00Z".parse().unwrap())
        );
        std::fs::write(&file, " \n").unwrap();
        assert_eq!(State::load(&file, &streams).unwrap(), State::default());
        std::fs::write(&file, "{bookmarks").unwrap();
        let message = State::load(&file, &streams).unwrap_err().message;
        assert!(message.contains("is not JSON"), "{message}");
        let missing = dir.join("absent.json");
        let message = State::load(&missing, &streams).unwrap_err().message;
        assert!(message.contains("cannot read"), "{message}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn numeric_contexts_read_as_their_digits() {
        // Meltano's SDK writes a partition's context with the parent's values as they came:
        // an ID may be a JSON number.
        let text = json!({"bookmarks": {"getInactiveChats": {"partitions": [
            {"context": {"FolderID": 7}, "replication_key_value": "2024-01-03T00:00:00Z"}
        ]}}});
        let state = State::from_value(&text, &["getInactiveChats"]).unwrap();
        let ctx = Context::from([("FolderID".to_owned(), "7".to_owned())]);
        assert!(state.bookmark("getInactiveChats", &ctx).is_some());
        let bad = json!({"bookmarks": {"getInactiveChats": {"partitions": [
            {"context": {"FolderID": [7]}, "replication_key_value": "2024-01-03T00:00:00Z"}
        ]}}});
        let message = State::from_value(&bad, &["getInactiveChats"])
            .unwrap_err()
            .message;
        assert!(
            message.contains("partitions[0].context.FolderID"),
            "{message}"
        );
    }

    #[test]
    fn advancing_moves_one_partition_and_is_written_out() {
        let mut state = State::default();
        let folder = Context::from([("FolderID".to_owned(), "7".to_owned())]);
        let first: DateTime<Utc> = "2024-01-07T00:00:00Z".parse().unwrap();
        let later: DateTime<Utc> = "2024-01-14T00:00:00Z".parse().unwrap();
        state.advance(
            "getAllChatMessages",
            &Context::new(),
            Some("Created"),
            first,
        );
        state.advance("getInactiveChats", &folder, None, first);
        state.advance("getInactiveChats", &folder, None, later);
        assert_eq!(
            state.bookmark("getAllChatMessages", &Context::new()),
            Some(first)
        );
        assert_eq!(state.bookmark("getInactiveChats", &folder), Some(later));
        assert_eq!(state.bookmark("getInactiveChats", &Context::new()), None);
        assert_eq!(
            state.to_value(),
            json!({"bookmarks": {
                "getAllChatMessages": {"replication_key": "Created", "replication_key_value": "2024-01-07T00:00:00Z"},
                "getInactiveChats": {"partitions": [{"context": {"FolderID": "7"}, "replication_key": null, "replication_key_value": "2024-01-14T00:00:00Z"}]}
            }})
        );
    }
}
