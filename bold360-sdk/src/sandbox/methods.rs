//! What each method does in the sandbox. Every method in the manifest is served: after the
//! checks of [`protocol`](super::protocol), methods with state (chats, messages, agents,
//! availability, reports) are handled here, and the rest get [`synthetic`](super::synthetic)
//! records, filtered and paged as their manifest entries say.
//!
//! Reports: `runReport` starts a job that `getReport` shows running (StatusCode 0, 1) for two
//! polls and then done (4). `ReportType` 97, 98 and 99 end cancelled (7), timed out (5) and in
//! error (6) instead, for testing.

use bold360_api_spec::{DataShape, Manifest, Method, Version};
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::data::{field, iso, Record, Store, ACCOUNT_ID};
use super::paging::{self, Window};
use super::protocol::{self, Params};
use super::synthetic;

type Reply = Result<Map<String, Value>, String>;

/// Runs `method` against the store; `Err` is the message of an error envelope.
pub(crate) fn dispatch(
    store: &mut Store,
    manifest: &Manifest,
    method: &str,
    version: &str,
    params: &[(String, String)],
) -> Reply {
    let p = Params(params);
    if method == "getDepartments" {
        // Known by name only (no page documents it), yet the first call the vendor's own demo
        // makes: every department, as that demo reads it.
        protocol::check_version(version)?;
        return list(store.departments.iter());
    }
    let spec = protocol::check(manifest, method, version, &p)?;
    let version = if version == "v2" {
        Version::V2
    } else {
        Version::V1
    };
    match spec.name.as_str() {
        "getOperators" => list(store.operators.iter()),
        "getOperator" => one(
            &store.operators,
            "LoginID",
            p.required("OperatorID")?,
            "OperatorID",
        ),
        "getDepartment" => one(
            &store.departments,
            "DepartmentID",
            p.required("DepartmentID")?,
            "DepartmentID",
        ),
        "getDepartmentOperators" => {
            let department = p.required("DepartmentID")?;
            list(
                store
                    .operators
                    .iter()
                    .filter(|o| field(o, "DepartmentID") == department),
            )
        }
        "getFolders" => {
            let wanted = p.get("FolderType");
            list(
                store
                    .folders
                    .iter()
                    .filter(|f| wanted.is_none_or(|t| field(f, "FolderType") == t)),
            )
        }
        "getFolder" => one(
            &store.folders,
            "FolderID",
            p.required("FolderID")?,
            "FolderID",
        ),
        "getChat" => one(store.chats(), "ChatID", p.required("ChatID")?, "ChatID"),
        "getChatMessages" => {
            let chat = p.required("ChatID")?;
            find(store.chats(), "ChatID", chat, "ChatID")?;
            list(store.messages.iter().filter(|m| field(m, "ChatID") == chat))
        }
        "addChatMessage" => add_chat_message(store, &p),
        "updateChat" | "assignChat" => change_chat(store, spec, &p),
        "editOperator" => edit_operator(store, &p),
        "createOperatorFromTemplate" => create_operator(store, &p),
        "operatorLoginControl" => login_control(store, &p),
        "setOperatorAvailability" => set_availability(store, &p),
        "getOperatorAvailability" => get_availability(store, &p),
        "runReport" => run_report(store, &p),
        "getReport" => get_report(store, &p),
        "getInactiveChats" => {
            let folder = p.required("FolderID")?;
            let window = Window::from(&p)?;
            let chats = store.closed_in(folder, &window);
            paging::page(chats, spec, version, &p)
        }
        "getAllChatMessages" => {
            // Messages are kept in (Created, ChatMessageID) order, so the date window is found
            // by binary search: pages stay cheap with millions of messages.
            let window = Window::from(&p)?;
            let messages: Vec<&Record> = window
                .span(&store.messages, |m| text(m, "Created"))
                .iter()
                .collect();
            paging::page(messages, spec, version, &p)
        }
        _ => synthetic_reply(store, spec, version, &p),
    }
}

/// Synthetic records, filtered by parameters that name a returned field and by the date
/// window, then paged.
fn synthetic_reply(store: &mut Store, spec: &Method, version: Version, p: &Params<'_>) -> Reply {
    if !store.synthetic.contains_key(&spec.name) {
        let records = synthetic::records(store, spec);
        store.synthetic.insert(spec.name.clone(), records);
    }
    let records = &store.synthetic[&spec.name];
    let window = Window::from(p)?;
    let time = synthetic::time_field(spec);
    let filters: Vec<(&str, &str)> =
        p.0.iter()
            .filter(|(name, value)| {
                let selects = spec.returns.iter().any(|f| f.name == *name)
                    || spec
                        .params
                        .iter()
                        .any(|q| q.required && q.name == *name && q.id_entity().is_some());
                !value.is_empty() && selects
            })
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
    let matching: Vec<&Record> = records
        .iter()
        .filter(|r| filters.iter().all(|(n, v)| field(r, n) == *v))
        .filter(|r| time.is_none_or(|t| window.contains(&field(r, t))))
        .collect();
    match spec.data {
        DataShape::Array => paging::page(matching, spec, version, p),
        DataShape::Object => match matching.first() {
            Some(record) => data(Value::Object((*record).clone())),
            None => Err(format!(
                "No {} matches",
                spec.name.trim_start_matches("get")
            )),
        },
        DataShape::None => Ok(Map::new()),
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
    find(store.chats(), "ChatID", &chat_id, "ChatID")?;
    let message_id = match p.get("ChatMessageID") {
        Some(id) => id.to_owned(),
        None => store.new_id(),
    };
    let message = json!({
        "AccountID": ACCOUNT_ID.to_string(),
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
        let key = (
            text(&message, "Created").to_owned(),
            text(&message, "ChatMessageID").to_owned(),
        );
        let at = store.messages.partition_point(|m| {
            (text(m, "Created"), text(m, "ChatMessageID")) <= (key.0.as_str(), key.1.as_str())
        });
        store.messages.insert(at, message);
    }
    Ok(Map::new())
}

/// updateChat sets any writable field it is given; assignChat moves the chat to an agent,
/// department or folder.
fn change_chat(store: &mut Store, spec: &Method, p: &Params<'_>) -> Reply {
    let chat_id = p.required("ChatID")?.to_owned();
    for (name, id) in [
        ("OperatorID", "LoginID"),
        ("DepartmentID", "DepartmentID"),
        ("FolderID", "FolderID"),
    ] {
        if let Some(value) = p.get(name).filter(|_| spec.name == "assignChat") {
            let pool = match name {
                "OperatorID" => &store.operators,
                "DepartmentID" => &store.departments,
                _ => &store.folders,
            };
            find(pool, id, value, name)?;
        }
    }
    let chat = store
        .chats_mut()
        .iter_mut()
        .find(|c| field(c, "ChatID") == chat_id)
        .ok_or_else(|| format!("Invalid ChatID: {chat_id}"))?;
    for (name, value) in p.0 {
        if name == "ChatID" || name == "callback" || name == "Forced" {
            continue;
        }
        // `CustomFields.<name>` sets one entry of the chat's CustomFields object, as getChat
        // then shows it.
        if let Some(custom) = name.strip_prefix("CustomFields.") {
            let fields = chat
                .entry("CustomFields")
                .or_insert_with(|| Value::Object(Map::new()));
            if !fields.is_object() {
                *fields = Value::Object(Map::new());
            }
            if let Value::Object(fields) = fields {
                fields.insert(custom.to_owned(), Value::String(value.clone()));
            }
            continue;
        }
        chat.insert(name.clone(), Value::String(value.clone()));
    }
    Ok(Map::new())
}

fn operator_mut<'a>(store: &'a mut Store, id: &str) -> Result<&'a mut Record, String> {
    store
        .operators
        .iter_mut()
        .find(|o| field(o, "LoginID") == id)
        .ok_or_else(|| format!("Invalid OperatorID: {id}"))
}

/// Wire names of editOperator/createOperatorFromTemplate parameters → agent record fields.
fn operator_field(param: &str) -> &str {
    match param {
        "OperatorName" => "Name",
        other => other,
    }
}

fn edit_operator(store: &mut Store, p: &Params<'_>) -> Reply {
    let id = p.required("OperatorID")?.to_owned();
    if let Some(departments) = p.get("Departments") {
        serde_json::from_str::<Vec<Value>>(departments)
            .map_err(|_| "Invalid Departments: expected a JSON array".to_owned())?;
    }
    if p.get("Email").is_some_and(|e| !e.contains('@')) {
        return Err("Invalid Email".to_owned());
    }
    let operator = operator_mut(store, &id)?;
    for (name, value) in p.0 {
        if name == "OperatorID" || name == "callback" {
            continue;
        }
        let value = match name.as_str() {
            "Departments" => serde_json::from_str(value).unwrap_or(Value::Null),
            _ => Value::String(value.clone()),
        };
        operator.insert(operator_field(name).to_owned(), value);
    }
    Ok(Map::new())
}

fn create_operator(store: &mut Store, p: &Params<'_>) -> Reply {
    let template = p.required("TemplateOperatorID")?.to_owned();
    let user = p.required("UserName")?;
    if !(3..=254).contains(&user.chars().count()) {
        return Err("Invalid UserName: 3 to 254 characters".to_owned());
    }
    if !p.required("Email")?.contains('@') {
        return Err("Invalid Email".to_owned());
    }
    if store.operators.iter().any(|o| field(o, "UserName") == user) {
        return Err(format!("UserName {user} is taken"));
    }
    let mut agent = find(&store.operators, "LoginID", &template, "TemplateOperatorID")?.clone();
    let id = store.new_id();
    agent.insert("LoginID".to_owned(), json!(id));
    for (name, value) in p.0 {
        if !matches!(
            name.as_str(),
            "TemplateOperatorID" | "Password" | "callback"
        ) {
            agent.insert(operator_field(name).to_owned(), json!(value));
        }
    }
    store.operators.push(agent);
    data(json!({ "LoginID": id }))
}

/// operatorLoginControl: changes an agent's login settings; `Unblock` only takes `true`.
fn login_control(store: &mut Store, p: &Params<'_>) -> Reply {
    let id = p.required("OperatorID")?.to_owned();
    if p.get("Unblock").is_some_and(|v| v != "true") {
        return Err("Invalid Unblock: only true is accepted".to_owned());
    }
    let operator = operator_mut(store, &id)?;
    for (param, field) in [
        ("Disable", "Disabled"),
        (
            "ForcePasswordChangeOnNextLogin",
            "ForcePasswordChangeOnNextLogin",
        ),
        ("SSOLoginRequired", "SSOLoginRequired"),
        ("SSONameID", "SSONameID"),
    ] {
        if let Some(value) = p.get(param) {
            operator.insert(field.to_owned(), json!(value));
        }
    }
    if p.get("Unblock").is_some() {
        operator.insert("Blocked".to_owned(), json!(false));
    }
    Ok(Map::new())
}

fn set_availability(store: &mut Store, p: &Params<'_>) -> Reply {
    let operator = p.required("OperatorID")?.to_owned();
    find(&store.operators, "LoginID", &operator, "OperatorID")?;
    let service = p.required("ServiceTypeID")?.to_owned();
    let client = p.required("ClientID")?.to_owned();
    let status = match p.get("StatusType") {
        Some("1") => 1,
        Some("2") => 2,
        Some(other) => return Err(format!("Invalid StatusType: {other}")),
        None => 1,
    };
    let custom = p.get("CustomOperatorStatusID").map(str::to_owned);
    store
        .availability
        .insert((operator, service), (status, custom, client));
    Ok(Map::new())
}

fn get_availability(store: &mut Store, p: &Params<'_>) -> Reply {
    let service = p.required("ServiceTypeID")?;
    let wanted = p.get("OperatorID");
    let rows = store
        .operators
        .iter()
        .filter(|o| wanted.is_none_or(|w| field(o, "LoginID") == w))
        .map(|o| {
            let id = field(o, "LoginID");
            let (status, custom, client) = store
                .availability
                .get(&(id.clone(), service.to_owned()))
                .cloned()
                .unwrap_or((0, None, String::new()));
            Value::Object(
                json!({
                    "LoginID": id,
                    "Name": o.get("Name"),
                    "ChatName": o.get("ChatName"),
                    "Email": o.get("Email"),
                    "EmailName": o.get("EmailName"),
                    "ServiceTypeID": service.parse::<i64>().map_or_else(|_| json!(service), |n| json!(n)),
                    "StatusType": status,
                    "CustomOperatorStatusID": custom,
                    "ClientID": client,
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
            )
        })
        .collect();
    let mut reply = data(Value::Array(rows))?;
    reply.insert("Truncated".to_owned(), json!(false));
    Ok(reply)
}

fn run_report(store: &mut Store, p: &Params<'_>) -> Reply {
    let kind: i64 = p
        .required("ReportType")?
        .parse()
        .map_err(|_| "Invalid ReportType".to_owned())?;
    let id = store.new_id();
    store.reports.insert(id.clone(), (kind, 0));
    data(json!({ "ReportID": id }))
}

fn get_report(store: &mut Store, p: &Params<'_>) -> Reply {
    let id = p.required("ReportID")?;
    let chats = store.chats().len();
    let (kind, polls) = store
        .reports
        .get_mut(id)
        .ok_or_else(|| format!("Invalid ReportID: {id}"))?;
    *polls += 1;
    let code = match (*kind, *polls) {
        (_, 1) => 0,
        (_, 2) => 1,
        (97, _) => 7,
        (98, _) => 5,
        (99, _) => 6,
        _ => 4,
    };
    let mut reply = Map::new();
    reply.insert("StatusCode".to_owned(), json!(code));
    if code == 4 {
        reply.insert(
            "Data".to_owned(),
            json!({ "ReportType": kind, "Rows": [{ "Label": "Closed chats", "Count": chats }] }),
        );
    }
    Ok(reply)
}

/// A string field without copying it (empty when absent or not a string).
fn text<'a>(record: &'a Record, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
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
