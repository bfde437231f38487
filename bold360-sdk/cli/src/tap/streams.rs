//! The tap's streams, derived from the manifest: every documented read method that returns
//! records, under its own name.
//!
//! - A method without required parameters is a root stream: `INCREMENTAL` over date windows
//!   when it takes `FromDate`/`ToDate`, else `FULL_TABLE`.
//! - A method with required parameters is a child stream when each one can be driven: an
//!   enumeration by each of its values (getLoginActivity per service type), an ID by the
//!   records of a `FULL_TABLE` root stream that carry that entity (getInactiveChats per folder
//!   of getFolders, getDepartmentOperators per department of getOperators). Its records get
//!   the driving parameter as a field, and bookmarks of their own per parent.
//! - Anything else (an ID no list gives, such as a report's) is not a stream; `--about` says
//!   why.
//!
//! Keys are the record's own ID: the field of the method's own entity (`ChatMessageID` for
//! getAllChatMessages, `LoginID` for getOperators), plus the driving parameters of a child.

use bold360_api_spec::{DataShape, Kind, Manifest, Method, TypeRef, Version};

/// How a stream is replicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replication {
    /// Everything, every run.
    FullTable,
    /// Date window by date window from the bookmark; `key` is the record field the window
    /// selects on, when the manifest documents it.
    Incremental { key: Option<String> },
}

impl Replication {
    /// The record field an incremental stream's windows select on, when documented.
    pub fn key(&self) -> Option<&str> {
        match self {
            Replication::Incremental { key } => key.as_deref(),
            Replication::FullTable => None,
        }
    }
}

/// What drives a child stream's required parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    /// Every value of an enumeration.
    Values { param: String, values: Vec<String> },
    /// Every distinct value of `field` in the records of the root stream `parent`.
    Parent {
        param: String,
        parent: String,
        field: String,
    },
}

impl Driver {
    /// The parameter it sets.
    pub fn param(&self) -> &str {
        match self {
            Driver::Values { param, .. } | Driver::Parent { param, .. } => param,
        }
    }
}

/// One stream.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// The method's wire name: the stream's `tap_stream_id`.
    pub name: String,
    /// The method as the manifest describes it.
    pub method: Method,
    /// The API version it is read with.
    pub version: Version,
    /// How it is replicated.
    pub replication: Replication,
    /// What drives its required parameters (empty for a root stream).
    pub drivers: Vec<Driver>,
    /// `key_properties`.
    pub key: Vec<String>,
}

impl StreamPlan {
    /// True for a field every record must carry (a key or the replication key): a catalog
    /// cannot deselect it.
    pub fn is_automatic(&self, field: &str) -> bool {
        self.key.iter().any(|k| k == field) || self.replication.key() == Some(field)
    }

    /// The root stream this one is driven by, if any.
    pub fn parent(&self) -> Option<&str> {
        self.drivers.iter().find_map(|d| match d {
            Driver::Parent { parent, .. } => Some(parent.as_str()),
            Driver::Values { .. } => None,
        })
    }
}

/// A read method that is not a stream, and why.
#[derive(Debug, Clone)]
pub struct NotAStream {
    pub method: String,
    pub reason: String,
}

/// The entity a method's own records are: `getAllChatMessages` → `chat_message`.
pub fn own_entity(method: &str) -> String {
    let base = method.strip_prefix("get").unwrap_or(method);
    let base = base.strip_prefix("All").unwrap_or(base);
    let singular = base.strip_suffix('s').unwrap_or(base);
    bold360_api_spec::ids::entity_for(&format!("{singular}ID"))
}

/// The record's own ID field: the field named after the method's entity (`ChatMessageID`),
/// else the only field of that entity (`LoginID` of an agent).
pub fn own_id(method: &Method) -> Option<String> {
    let entity = own_entity(&method.name);
    let of_entity: Vec<&str> = method
        .returns
        .iter()
        .filter(|f| f.id_entity().as_deref() == Some(entity.as_str()))
        .map(|f| f.name.as_str())
        .collect();
    let exact = format!(
        "{}ID",
        bold360_api_spec::ids::type_name(&entity).trim_end_matches("Id")
    );
    of_entity
        .iter()
        .find(|name| **name == exact)
        .or(if of_entity.len() == 1 {
            of_entity.first()
        } else {
            None
        })
        .map(|s| (*s).to_owned())
}

/// The version a method is read with: the configured one when it has it, else its only one.
fn version_for(method: &Method, configured: Version) -> Version {
    if method.has_version(configured) {
        configured
    } else {
        method.versions[0]
    }
}

fn replication(method: &Method) -> Replication {
    if method.has_date_window() {
        Replication::Incremental {
            key: method.window_field().map(str::to_owned),
        }
    } else {
        Replication::FullTable
    }
}

/// Every stream, roots first, and the read methods that are not streams.
pub fn plan(manifest: &Manifest, configured: Version) -> (Vec<StreamPlan>, Vec<NotAStream>) {
    let readable = |m: &&Method| m.kind == Kind::Read && m.data != DataShape::None;
    let mut roots: Vec<StreamPlan> = manifest
        .methods
        .iter()
        .filter(readable)
        .filter(|m| !m.params.iter().any(|p| p.required))
        .map(|m| StreamPlan {
            name: m.name.clone(),
            method: m.clone(),
            version: version_for(m, configured),
            replication: replication(m),
            drivers: Vec::new(),
            key: own_id(m).into_iter().collect(),
        })
        .collect();
    let mut children = Vec::new();
    let mut not_streams = Vec::new();
    for m in manifest
        .methods
        .iter()
        .filter(readable)
        .filter(|m| m.params.iter().any(|p| p.required))
    {
        let mut drivers = Vec::new();
        let mut missing = None;
        for p in m.params.iter().filter(|p| p.required) {
            let driver = match &p.ty {
                TypeRef::Enum(name) => m.enums.get(name).map(|values| Driver::Values {
                    param: p.name.clone(),
                    values: values.keys().cloned().collect(),
                }),
                TypeRef::Id => {
                    let entity = p.id_entity().unwrap_or_default();
                    parent_for(&roots, &entity).map(|(parent, field)| Driver::Parent {
                        param: p.name.clone(),
                        parent,
                        field,
                    })
                }
                _ => None,
            };
            match driver {
                Some(d) => drivers.push(d),
                None => {
                    missing = Some(format!(
                        "its required parameter {} ({}) is given by no list the tap reads",
                        p.name, p.ty
                    ));
                    break;
                }
            }
        }
        if drivers
            .iter()
            .filter(|d| matches!(d, Driver::Parent { .. }))
            .count()
            > 1
        {
            missing = Some("it needs IDs from two parents".to_owned());
        }
        match missing {
            Some(reason) => not_streams.push(NotAStream {
                method: m.name.clone(),
                reason,
            }),
            None => {
                // The own ID, and the parents' IDs that tell its records apart (an agent is
                // listed once per department); not an ID of the same entity again.
                let own = own_id(m);
                let mut key: Vec<String> = own.iter().cloned().collect();
                if own.is_some() {
                    let entity = own_entity(&m.name);
                    for d in &drivers {
                        let same = m.param(d.param()).and_then(|p| p.id_entity()).as_deref()
                            == Some(entity.as_str());
                        if !same && !key.iter().any(|k| k == d.param()) {
                            key.push(d.param().to_owned());
                        }
                    }
                }
                children.push(StreamPlan {
                    name: m.name.clone(),
                    method: m.clone(),
                    version: version_for(m, configured),
                    replication: replication(m),
                    drivers,
                    key,
                });
            }
        }
    }
    for m in manifest
        .methods
        .iter()
        .filter(|m| m.kind == Kind::Read && m.data == DataShape::None)
    {
        not_streams.push(NotAStream {
            method: m.name.clone(),
            reason: "it returns no records".to_owned(),
        });
    }
    roots.append(&mut children);
    (roots, not_streams)
}

/// The `FULL_TABLE` root stream whose records carry IDs of `entity` (preferring one whose own
/// ID it is), and the field.
fn parent_for(roots: &[StreamPlan], entity: &str) -> Option<(String, String)> {
    let candidates = roots
        .iter()
        .filter(|r| r.replication == Replication::FullTable)
        .filter_map(|r| {
            let field = r
                .method
                .returns
                .iter()
                .find(|f| f.id_entity().as_deref() == Some(entity) && r.key.contains(&f.name))
                .map(|f| (f, true))
                .or_else(|| {
                    r.method
                        .returns
                        .iter()
                        .find(|f| f.id_entity().as_deref() == Some(entity))
                        .map(|f| (f, false))
                })?;
            Some((r, field.0.name.clone(), field.1))
        });
    // A list of that entity first (its own ID), then a list that is not itself filtered by
    // the entity (one that takes such a parameter, like getActiveChats' DepartmentID, lists a
    // subset: the chats active now, not every department), then a list of keyed records.
    let mut best: Option<(&StreamPlan, String, bool)> = None;
    let filters_by = |r: &StreamPlan| {
        r.method
            .params
            .iter()
            .any(|p| p.id_entity().as_deref() == Some(entity))
    };
    let rank = |c: &(&StreamPlan, String, bool)| (c.2, !filters_by(c.0), !c.0.key.is_empty());
    for c in candidates {
        if best.as_ref().is_none_or(|b| rank(&c) > rank(b)) {
            best = Some(c);
        }
    }
    best.map(|(r, field, _)| (r.name.clone(), field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plans() -> (Vec<StreamPlan>, Vec<NotAStream>) {
        plan(&Manifest::embedded().unwrap(), Version::V1)
    }

    fn get<'a>(plans: &'a [StreamPlan], name: &str) -> &'a StreamPlan {
        plans
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} is a stream"))
    }

    #[test]
    fn streams_come_from_the_manifest_with_replication_keys_and_parents() {
        let (plans, not) = plans();
        let messages = get(&plans, "getAllChatMessages");
        assert_eq!(
            messages.replication,
            Replication::Incremental {
                key: Some("Created".into())
            }
        );
        assert_eq!(messages.key, ["ChatMessageID"]);
        assert!(messages.drivers.is_empty());
        for name in [
            "getOperators",
            "getFolders",
            "getSetupFolders",
            "getChatCannedMessages",
        ] {
            assert_eq!(
                get(&plans, name).replication,
                Replication::FullTable,
                "{name}"
            );
        }
        assert_eq!(get(&plans, "getOperators").key, ["LoginID"]);
        let inactive = get(&plans, "getInactiveChats");
        assert_eq!(inactive.parent(), Some("getFolders"));
        assert_eq!(inactive.version, Version::V1);
        assert_eq!(inactive.key, ["ChatID", "FolderID"]);
        assert!(matches!(
            inactive.replication,
            Replication::Incremental { .. }
        ));
        assert_eq!(get(&plans, "getConversions").parent(), Some("getFolders"));
        let dept = get(&plans, "getDepartmentOperators");
        assert_eq!(
            dept.drivers,
            [Driver::Parent {
                param: "DepartmentID".into(),
                parent: "getOperators".into(),
                field: "DepartmentID".into()
            }]
        );
        assert_eq!(dept.key, ["LoginID", "DepartmentID"]);
        let login = get(&plans, "getLoginActivity");
        assert!(
            matches!(&login.drivers[0], Driver::Values { param, values } if param == "ServiceTypeID" && values.contains(&"1".to_owned()))
        );
        // v2-only methods are read in v2 whatever the configured version.
        assert_eq!(get(&plans, "getAllAuditLogs").version, Version::V2);
        // Roots come before the children they drive.
        let at = |n: &str| plans.iter().position(|p| p.name == n).unwrap();
        assert!(at("getFolders") < at("getInactiveChats"));
        // Writes are not streams; reads that no list can drive are listed with the reason.
        assert!(plans.iter().all(|p| p.method.kind == Kind::Read));
        let report = not.iter().find(|n| n.method == "getReport").unwrap();
        assert!(report.reason.contains("ReportID"), "{}", report.reason);
        let names: Vec<&str> = plans
            .iter()
            .map(|p| p.name.as_str())
            .chain(not.iter().map(|n| n.method.as_str()))
            .collect();
        let reads = Manifest::embedded()
            .unwrap()
            .methods
            .iter()
            .filter(|m| m.kind == Kind::Read)
            .count();
        assert_eq!(
            names.len(),
            reads,
            "every read method is a stream or says why not"
        );
    }

    #[test]
    fn a_child_key_adds_only_parents_of_another_entity() {
        // getOperator is read per agent (OperatorID) of getOperators: its own ID (LoginID)
        // already names that agent, so the key is that field alone; getOperatorDepartments'
        // records are departments, so the agent they were read for joins the key.
        let (plans, _) = plans();
        assert_eq!(get(&plans, "getOperator").key, ["LoginID"]);
        assert_eq!(get(&plans, "getFolder").key, ["FolderID"]);
        assert_eq!(
            get(&plans, "getOperatorDepartments").key,
            ["DepartmentID", "OperatorID"]
        );
    }

    #[test]
    fn among_equally_good_parents_the_first_root_drives() {
        let canned = plans()
            .0
            .into_iter()
            .find(|p| p.name == "getChatCannedMessages")
            .unwrap();
        let named = |name: &str| StreamPlan {
            name: name.into(),
            key: vec!["SetupItemID".into()],
            ..canned.clone()
        };
        let roots = [named("first"), named("second")];
        assert_eq!(
            parent_for(&roots, "folder"),
            Some(("first".to_owned(), "FolderID".to_owned()))
        );
        // A list of the entity itself outranks one that only mentions it, wherever it is.
        let (plans, _) = plans();
        let folders = get(&plans, "getFolders").clone();
        let roots = [named("first"), folders];
        assert_eq!(
            parent_for(&roots, "folder"),
            Some(("getFolders".to_owned(), "FolderID".to_owned()))
        );
        assert_eq!(parent_for(&roots, "report"), None);
    }

    #[test]
    fn own_entities_follow_the_id_naming_rule() {
        assert_eq!(own_entity("getAllChatMessages"), "chat_message");
        assert_eq!(own_entity("getInactiveChats"), "chat");
        assert_eq!(own_entity("getDepartmentOperators"), "operator");
        assert_eq!(own_entity("getFolders"), "folder");
        assert_eq!(own_entity("getSetupFolders"), "setup_folder");
    }
}
