//! The sandbox's data: a deterministic, related set of departments, agents, folders, chats and
//! messages. IDs are above 2^53 so that clients which read them as floats get caught; times
//! are ISO-8601 UTC.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::paging::Window;

/// One record, as the API sends it.
pub(crate) type Record = Map<String, Value>;

/// First ID handed out: 2^53 + 1, the smallest integer an `f64` cannot hold.
pub(crate) const ID_BASE: u64 = 9_007_199_254_740_993;

pub(crate) const ACCOUNT_ID: u64 = 100_001;

/// A report that has already run to completion (ReportType 0), so `getReport` can be tried
/// before any `runReport`.
pub(crate) const SEEDED_REPORT_ID: u64 = ID_BASE + 400_000_000;

#[derive(Debug, Clone)]
pub(crate) struct Store {
    pub departments: Vec<Record>,
    pub operators: Vec<Record>,
    pub folders: Vec<Record>,
    /// Every chat; read with [`chats`](Self::chats), changed with [`chats_mut`](Self::chats_mut).
    chats: Vec<Record>,
    /// The chats of each folder in (Ended, ChatID) order: what getInactiveChats reads, by
    /// binary search (a page costs its own records, not the account's). Built with the data,
    /// dropped by any change to the chats, built again by the next read.
    closed_by_folder: Option<HashMap<String, Vec<Closed>>>,
    pub messages: Vec<Record>,
    /// Records of methods without hand-written state, made on first use.
    pub synthetic: std::collections::BTreeMap<String, Vec<Record>>,
    /// (agent, service type) → (status type, custom status, client).
    pub availability: std::collections::BTreeMap<(String, String), (i64, Option<String>, String)>,
    /// Report ID → (report type, polls so far).
    pub reports: std::collections::BTreeMap<String, (i64, u32)>,
    next_id: u64,
    /// When the seeded data starts.
    pub t0: DateTime<Utc>,
}

/// A chat in a folder's (Ended, ChatID) order.
#[derive(Debug, Clone)]
struct Closed {
    ended: String,
    chat_id: String,
    /// Its place in the store's chats.
    at: usize,
}

/// A field as the API writes it, as text ("" when absent or null).
pub(crate) fn field(record: &Record, name: &str) -> String {
    match record.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Each folder's chats in (Ended, ChatID) order.
fn closed_by_folder(chats: &[Record]) -> HashMap<String, Vec<Closed>> {
    let mut index: HashMap<String, Vec<Closed>> = HashMap::new();
    for (at, chat) in chats.iter().enumerate() {
        index
            .entry(field(chat, "FolderID"))
            .or_default()
            .push(Closed {
                ended: field(chat, "Ended"),
                chat_id: field(chat, "ChatID"),
                at,
            });
    }
    for closed in index.values_mut() {
        closed.sort_by(|a, b| (&a.ended, &a.chat_id).cmp(&(&b.ended, &b.chat_id)));
    }
    index
}

/// Formats a time as the API does.
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Minutes between seeded chats by default.
pub(crate) const CHAT_MINUTES: u32 = 37;

/// Where the seeded data starts when the data is recent: early enough that the `chats` closed
/// chats (`minutes` apart) end about an hour before `now`, in whole minutes.
pub(crate) fn recent_start(chats: u32, minutes: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let start = now - Duration::minutes(i64::from(chats) * i64::from(minutes) + 30);
    DateTime::from_timestamp(start.timestamp() - start.timestamp() % 60, 0).unwrap_or(start)
}

/// Where the seeded data starts by default: 2024-01-01, the same on every run.
pub(crate) fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn obj(value: Value) -> Record {
    match value {
        Value::Object(map) => map,
        _ => Record::new(),
    }
}

impl Store {
    /// The seeded data set with `chats` closed chats, the first one starting at `t0`. The same
    /// `chats` gives the same IDs; the same `t0` the same times.
    pub(crate) fn seeded(chats: u32, minutes: u32, t0: DateTime<Utc>) -> Self {
        let mut store = Store {
            departments: Vec::new(),
            operators: Vec::new(),
            folders: Vec::new(),
            chats: Vec::new(),
            closed_by_folder: None,
            messages: Vec::new(),
            synthetic: Default::default(),
            availability: Default::default(),
            reports: Default::default(),
            next_id: ID_BASE,
            t0,
        };
        let department_names = ["Sales", "Support", "Billing"];
        let department_ids: Vec<String> = department_names
            .iter()
            .map(|name| {
                let id = store.new_id();
                store.departments.push(obj(json!({
                    "AccountID": ACCOUNT_ID.to_string(),
                    "DepartmentID": id,
                    "Name": name,
                    "Available": true,
                    "Capacity": 20,
                    "Created": iso(t0),
                    "Deleted": null,
                })));
                id
            })
            .collect();
        let operator_names = [
            "Ada Byron",
            "Grace Hopper",
            "Alan Turing",
            "Edsger Dijkstra",
            "Barbara Liskov",
            "Ken Thompson",
        ];
        let operator_ids: Vec<String> = operator_names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let id = store.new_id();
                let dept = &department_ids[i % department_ids.len()];
                let first = name.split(' ').next().unwrap_or(name);
                store.operators.push(obj(json!({
                    "LoginID": id,
                    "UserName": first.to_lowercase(),
                    "Name": name,
                    "ChatName": first,
                    "Email": format!("{}@example.com", first.to_lowercase()),
                    "EmailName": name,
                    "DepartmentID": dept,
                    "Departments": [{"DepartmentID": dept, "Priority": 1, "AssignmentPriority": 2}],
                    "Disabled": false,
                    "Available": i % 2 == 0,
                    "Capacity": 5,
                    "Priority": 1,
                    "AssignmentPriority": 2,
                    "PermissionGroupID": (ID_BASE + 900).to_string(),
                })));
                id
            })
            .collect();
        let folder_ids: Vec<String> = ["Web chats", "Mobile chats"]
            .iter()
            .map(|name| {
                let id = store.new_id();
                store.folders.push(obj(json!({
                    "AccountID": ACCOUNT_ID.to_string(),
                    "FolderID": id,
                    "ParentFolderID": null,
                    "Name": name,
                    "FolderType": 5,
                    "FolderFlags": 0,
                    "Created": iso(t0),
                    "Updated": iso(t0),
                    "Deleted": null,
                    "DeletedBy": null,
                })));
                id
            })
            .collect();
        let agents_folder = store.new_id();
        store.folders.push(obj(json!({
            "AccountID": ACCOUNT_ID.to_string(),
            "FolderID": agents_folder,
            "ParentFolderID": null,
            "Name": "Agents",
            "FolderType": 17,
            "FolderFlags": 0,
            "Created": iso(t0),
            "Updated": iso(t0),
            "Deleted": null,
            "DeletedBy": null,
        })));
        for i in 0..chats {
            let chat_id = store.new_id();
            let created = t0 + Duration::minutes(i64::from(i) * i64::from(minutes));
            let answered = created + Duration::seconds(45 + i64::from(i % 7) * 10);
            let ended = answered + Duration::minutes(5 + i64::from(i % 11));
            let operator = &operator_ids[i as usize % operator_ids.len()];
            let department = &department_ids[i as usize % department_ids.len()];
            let mut chat = obj(json!({
                "AccountID": ACCOUNT_ID.to_string(),
                "ChatID": chat_id,
                "FolderID": folder_ids[i as usize % folder_ids.len()],
                "DepartmentID": department,
                "OperatorID": operator,
                "ChatName": format!("Visitor {}", i + 1),
                "ChatType": i % 9,
                "Created": iso(created),
                "Answered": iso(answered),
                "Ended": iso(ended),
                "Closed": iso(ended),
                "InitialQuestion": format!("Question number {} about order #{}", i + 1, 5000 + i),
                "LanguageCode": if i % 4 == 0 { "de" } else { "en" },
                "ACDReassignCount": i % 3,
                "Availability": 1,
                "Started": iso(created),
                "VisitID": format!("{}", 4_000_000_000_000_000u64 + u64::from(i)),
                "VisitorID": format!("{}", 5_000_000_000_000_000u64 + u64::from(i % 700)),
                "ChatUrl": format!("https://shop.example.com/orders/{}", 5000 + i),
                "VisitRef": format!("order-{}", 5000 + i),
                // 9 = chat ended answered; every 50th chat carries 18, a value clients see
                // that the vendor's list stops before (it decodes as Unknown).
                "ChatStatusType": if i % 50 == 49 { 18 } else { 9 },
                "ClientType": 2,
                "OperatorMessageCount": 1,
                "VisitorMessageCount": 2,
                "CustomFields": {},
            }));
            if i % 10 == 0 {
                // A field the manifest does not list, as real responses carry.
                chat.insert("SandboxTag".to_owned(), json!(format!("tag-{i}")));
            }
            store.chats.push(chat);
            for (n, (person, who)) in [(1, "Visitor"), (0, "Operator"), (1, "Visitor")]
                .into_iter()
                .enumerate()
            {
                let message_id = store.new_id();
                let name = if person == 0 {
                    operator_names[i as usize % operator_names.len()].to_owned()
                } else {
                    format!("Visitor {}", i + 1)
                };
                store.messages.push(obj(json!({
                    "AccountID": ACCOUNT_ID.to_string(),
                    "ChatMessageID": message_id,
                    "ChatID": chat_id,
                    "Created": iso(answered + Duration::seconds(n as i64 * 30)),
                    "PersonType": person,
                    "PersonID": if person == 0 { operator.clone() } else { format!("visitor-{i}") },
                    "Name": name,
                    "Text": format!("{who} message {} of chat {}", n + 1, i + 1),
                    "Hidden": null,
                    "Deleted": null,
                })));
            }
        }
        store.reports.insert(SEEDED_REPORT_ID.to_string(), (0, 2));
        store.messages.sort_by(|a, b| {
            let key = |m: &Record| {
                (
                    m.get("Created")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    m.get("ChatMessageID")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                )
            };
            key(a).cmp(&key(b))
        });
        store.closed_by_folder = Some(closed_by_folder(&store.chats));
        store
    }

    /// Every chat, in the order they were added.
    pub(crate) fn chats(&self) -> &[Record] {
        &self.chats
    }

    /// The chats, to change or add to (the folder index is rebuilt on its next use).
    pub(crate) fn chats_mut(&mut self) -> &mut Vec<Record> {
        self.closed_by_folder = None;
        &mut self.chats
    }

    /// The chats of `folder` that ended within `window`, in (Ended, ChatID) order.
    pub(crate) fn closed_in(&mut self, folder: &str, window: &Window) -> Vec<&Record> {
        let chats = &self.chats;
        let index = self
            .closed_by_folder
            .get_or_insert_with(|| closed_by_folder(chats));
        let Some(closed) = index.get(folder) else {
            return Vec::new();
        };
        window
            .span(closed, |c| c.ended.as_str())
            .iter()
            .filter_map(|c| chats.get(c.at))
            .collect()
    }

    /// A fresh ID as the API writes it (a string of digits).
    pub(crate) fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }
}
