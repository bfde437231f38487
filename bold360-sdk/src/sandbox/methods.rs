//! What each method does in the sandbox.

use chrono::Utc;
use serde_json::{json, Map, Value};

use super::data::{iso, Record, Store};

/// Page cap of the paged methods, as documented.
const PAGE_CAP: usize = 1000;

type Reply = Result<Map<String, Value>, String>;

/// Runs `method` against the store; `Err` is the message of an error envelope.
pub(crate) fn dispatch(
    store: &mut Store,
    method: &str,
    version: &str,
    params: &[(String, String)],
) -> Reply {
    let p = Params(params);
    match (method, version) {
        ("getOperators", _) => data(Value::Array(
            store.operators.iter().cloned().map(Value::Object).collect(),
        )),
        ("getOperator", _) => one(
            &store.operators,
            "LoginID",
            p.required("OperatorID")?,
            "OperatorID",
        ),
        ("getDepartment", _) => one(
            &store.departments,
            "DepartmentID",
            p.required("DepartmentID")?,
            "DepartmentID",
        ),
        ("getDepartmentOperators", _) => {
            let department = p.required("DepartmentID")?;
            list(
                store
                    .operators
                    .iter()
                    .filter(|o| field(o, "DepartmentID") == department),
            )
        }
        ("getFolders", _) => {
            let wanted = p.get("FolderType");
            list(
                store
                    .folders
                    .iter()
                    .filter(|f| wanted.is_none_or(|t| field(f, "FolderType") == t)),
            )
        }
        ("getFolder", _) => one(
            &store.folders,
            "FolderID",
            p.required("FolderID")?,
            "FolderID",
        ),
        ("getChat", _) => one(&store.chats, "ChatID", p.required("ChatID")?, "ChatID"),
        ("getChatMessages", _) => {
            let chat = p.required("ChatID")?;
            find(&store.chats, "ChatID", chat, "ChatID")?;
            list(store.messages.iter().filter(|m| field(m, "ChatID") == chat))
        }
        ("addChatMessage", _) => add_chat_message(store, &p),
        ("getInactiveChats", "v1") => {
            let folder = p.required("FolderID")?;
            let window = Window::from(&p)?;
            let mut chats: Vec<&Record> = store
                .chats
                .iter()
                .filter(|c| field(c, "FolderID") == folder && window.contains(&field(c, "Ended")))
                .collect();
            chats.sort_by_key(|c| (field(c, "Ended"), field(c, "ChatID")));
            page(chats, version, &p)
        }
        ("getAllChatMessages", _) => {
            let window = Window::from(&p)?;
            let mut messages: Vec<&Record> = store
                .messages
                .iter()
                .filter(|m| window.contains(&field(m, "Created")))
                .collect();
            messages.sort_by_key(|m| (field(m, "Created"), field(m, "ChatMessageID")));
            page(messages, version, &p)
        }
        _ => Err(format!("Unknown method {method} for API {version}")),
    }
}

fn add_chat_message(store: &mut Store, p: &Params<'_>) -> Reply {
    let chat_id = p.required("ChatID")?.to_owned();
    let kind = p.required("Type")?;
    let person_type = match kind {
        "Operator" => 0,
        "Visitor" => 1,
        "System" => 4,
        _ => return Err("Invalid Type: expected Operator, Visitor or System".to_owned()),
    };
    find(&store.chats, "ChatID", &chat_id, "ChatID")?;
    let message_id = match p.get("ChatMessageID") {
        Some(id) => id.to_owned(),
        None => store.new_id(),
    };
    let message = json!({
        "AccountID": super::data::ACCOUNT_ID.to_string(),
        "ChatMessageID": message_id,
        "ChatID": chat_id,
        "Created": iso(Utc::now()),
        "PersonType": person_type,
        "PersonID": p.get("OperatorID"),
        "Name": p.get("Name").unwrap_or(kind),
        "Text": p.get("Message").unwrap_or_default(),
        "Hidden": null,
        "Deleted": null,
    });
    if let Value::Object(message) = message {
        store.messages.push(message);
    }
    Ok(Map::new())
}

struct Params<'a>(&'a [(String, String)]);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("Missing {name}"))
    }
}

fn field(record: &Record, name: &str) -> String {
    match record.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn data(value: Value) -> Reply {
    let mut reply = Map::new();
    reply.insert("Data".to_owned(), value);
    Ok(reply)
}

fn list<'a>(records: impl Iterator<Item = &'a Record>) -> Reply {
    data(Value::Array(records.cloned().map(Value::Object).collect()))
}

fn find<'a>(records: &'a [Record], key: &str, id: &str, param: &str) -> Result<&'a Record, String> {
    records
        .iter()
        .find(|r| field(r, key) == id)
        .ok_or_else(|| format!("Invalid {param}: {id}"))
}

fn one(records: &[Record], key: &str, id: &str, param: &str) -> Reply {
    data(Value::Object(find(records, key, id, param)?.clone()))
}

/// A `FromDate`/`ToDate` filter over ISO-8601 UTC text (which sorts like the times it names).
struct Window {
    from: Option<String>,
    to: Option<String>,
}

impl Window {
    fn from(p: &Params<'_>) -> Result<Self, String> {
        let parse = |name: &str| -> Result<Option<String>, String> {
            p.get(name)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    crate::wire::parse_datetime(v)
                        .map(iso)
                        .ok_or_else(|| format!("Invalid {name}: {v}"))
                })
                .transpose()
        };
        Ok(Self {
            from: parse("FromDate")?,
            to: parse("ToDate")?,
        })
    }

    fn contains(&self, time: &str) -> bool {
        self.from.as_deref().is_none_or(|f| time >= f)
            && self.to.as_deref().is_none_or(|t| time < t)
    }
}

/// One page of `records`: v1 by `PageStart`/`PageSize` with a `Next` object, v2 by an opaque
/// `NextPage` cursor.
fn page(records: Vec<&Record>, version: &str, p: &Params<'_>) -> Reply {
    let size = match p.get("PageSize") {
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n > 0 => n.min(PAGE_CAP),
            _ => return Err(format!("Invalid PageSize: {v}")),
        },
        None => PAGE_CAP,
    };
    let start = if version == "v1" {
        match p.get("PageStart") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| format!("Invalid PageStart: {v}"))?,
            None => 0,
        }
    } else {
        match p.get("NextPage").filter(|v| !v.is_empty()) {
            Some(cursor) => decode_cursor(cursor).ok_or_else(|| "Invalid NextPage".to_owned())?,
            None => 0,
        }
    };
    let end = records.len().min(start.saturating_add(size));
    let items: Vec<Value> = records
        .get(start.min(records.len())..end)
        .unwrap_or_default()
        .iter()
        .map(|r| Value::Object((*r).clone()))
        .collect();
    let truncated = end < records.len();
    let mut reply = Map::new();
    reply.insert("Data".to_owned(), Value::Array(items));
    reply.insert("Truncated".to_owned(), Value::Bool(truncated));
    if truncated {
        if version == "v1" {
            let mut next = Map::new();
            for (name, value) in p.0 {
                if !matches!(name.as_str(), "PageStart" | "callback") {
                    next.insert(name.clone(), Value::String(value.clone()));
                }
            }
            next.insert("PageStart".to_owned(), json!(end));
            reply.insert("Next".to_owned(), Value::Object(next));
        } else {
            reply.insert("NextPage".to_owned(), Value::String(encode_cursor(end)));
        }
    }
    Ok(reply)
}

fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("sandbox-offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = hex::decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-offset:")?
        .parse()
        .ok()
}
