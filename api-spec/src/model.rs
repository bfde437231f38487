//! The types of a method file. Field order here is the key order of the files.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// `v1`
    V1,
    /// `v2`
    V2,
}

impl Version {
    /// Both versions.
    pub const ALL: [Version; 2] = [Version::V1, Version::V2];

    /// `"v1"` or `"v2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V2 => "v2",
        }
    }
}

/// Whether a method only reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Reads data; safe to retry.
    Read,
    /// Changes data.
    Write,
}

impl Kind {
    /// `"read"` or `"write"`, as in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::Write => "write",
        }
    }
}

/// The shape of `Data` in a successful response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataShape {
    /// One record.
    Object,
    /// A list of records.
    Array,
    /// No data.
    None,
}

/// A type in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// An identifier (exact digits, string or number on the wire).
    Id,
    /// A whole number.
    Integer,
    /// A whole number that cannot be negative: a size, an offset, a count.
    Count,
    /// A floating-point number.
    Number,
    /// `true`/`false`.
    Boolean,
    /// Text.
    String,
    /// An ISO-8601 UTC time.
    Datetime,
    /// A JSON value (sent as JSON text).
    Json,
    /// One of the values listed under `enums.<Name>`.
    Enum(String),
}

impl TypeRef {
    /// The words of the vocabulary other than `enum:<Name>`.
    pub const NAMES: [&'static str; 8] = [
        "id", "integer", "count", "number", "boolean", "string", "datetime", "json",
    ];
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::Id => f.write_str("id"),
            TypeRef::Integer => f.write_str("integer"),
            TypeRef::Count => f.write_str("count"),
            TypeRef::Number => f.write_str("number"),
            TypeRef::Boolean => f.write_str("boolean"),
            TypeRef::String => f.write_str("string"),
            TypeRef::Datetime => f.write_str("datetime"),
            TypeRef::Json => f.write_str("json"),
            TypeRef::Enum(name) => write!(f, "enum:{name}"),
        }
    }
}

impl FromStr for TypeRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "id" => TypeRef::Id,
            "integer" => TypeRef::Integer,
            "count" => TypeRef::Count,
            "number" => TypeRef::Number,
            "boolean" => TypeRef::Boolean,
            "string" => TypeRef::String,
            "datetime" => TypeRef::Datetime,
            "json" => TypeRef::Json,
            other => match other.strip_prefix("enum:") {
                Some(name) if is_identifier(name) => TypeRef::Enum(name.to_owned()),
                Some(name) => {
                    return Err(format!("enum name {name:?} must be letters, digits or _"))
                }
                None => return Err(format!("unknown type {other:?}")),
            },
        })
    }
}

/// True for a name of ASCII letters, digits and `_`, starting with a letter.
pub fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Serialize for TypeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TypeRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A documented input parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// The wire name, e.g. `ChatID`.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// For an `id`: the entity it identifies (see [`crate::ids`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Must be sent.
    pub required: bool,
    /// A secret (a password): never printed by `Debug`, traces or errors.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// Versions in which it exists.
    pub versions: Vec<Version>,
    /// What it means.
    pub description: String,
}

/// A family of parameters whose names are not fixed (`CustomFields.<name>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicParam {
    /// The pattern as documented, e.g. `OperatorCustomFields.<name>`.
    pub pattern: String,
    /// What it means.
    pub description: String,
}

impl DynamicParam {
    /// The fixed start of every name the pattern matches, when it is `Prefix.<name>`:
    /// `Some("OperatorCustomFields.")`. `None` for a pattern that is prose
    /// (`<API field name>`).
    ///
    /// ```
    /// use bold360_api_spec::DynamicParam;
    /// let family = DynamicParam { pattern: "CustomFields.<name>".into(), description: String::new() };
    /// assert_eq!(family.prefix(), Some("CustomFields."));
    /// let prose = DynamicParam { pattern: "<API field name>".into(), description: String::new() };
    /// assert_eq!(prose.prefix(), None);
    /// ```
    pub fn prefix(&self) -> Option<&str> {
        let prefix = self.pattern.strip_suffix("<name>")?;
        let stem = prefix.strip_suffix('.')?;
        (!stem.is_empty() && stem.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(prefix)
    }
}

/// A rule over several parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Constraint {
    /// Exactly one of these must be set.
    ExactlyOneOf(Vec<String>),
    /// Either all of these are set or none.
    AllOrNone(Vec<String>),
}

impl Constraint {
    /// The parameters the rule is about.
    ///
    /// ```
    /// use bold360_api_spec::Constraint;
    /// let rule = Constraint::AllOrNone(vec!["FromDate".into(), "ToDate".into()]);
    /// assert_eq!(rule.params(), ["FromDate", "ToDate"]);
    /// ```
    pub fn params(&self) -> &[String] {
        match self {
            Constraint::ExactlyOneOf(names) | Constraint::AllOrNone(names) => names,
        }
    }
}

/// How one version of a method pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum PagingStyle {
    /// `PageStart`/`PageSize`; the response's `Next` object is sent back verbatim.
    Offset {
        /// Usually `PageStart`.
        start_param: String,
        /// Usually `PageSize`.
        size_param: String,
        /// `records` (an offset) or `pages` (a page number).
        start_unit: StartUnit,
    },
    /// The response's `NextPage` is sent back as a parameter.
    Cursor {
        /// Usually `NextPage`.
        cursor_param: String,
        /// A page-size parameter, if the method has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size_param: Option<String>,
        /// A page-number parameter, if the method has one (getAllAccessAuditLogs).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page_param: Option<String>,
    },
}

/// What an offset counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartUnit {
    /// Records to skip.
    Records,
    /// Pages to skip.
    Pages,
}

/// Paging per version; a version absent here does not page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// v1 paging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v1: Option<PagingStyle>,
    /// v2 paging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v2: Option<PagingStyle>,
}

impl Paging {
    /// The paging of one version.
    pub fn get(&self, version: Version) -> Option<&PagingStyle> {
        match version {
            Version::V1 => self.v1.as_ref(),
            Version::V2 => self.v2.as_ref(),
        }
    }
}

/// A documented field of the returned records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// For an `id`: the entity it identifies (see [`crate::ids`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// What it means, when documented.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// Values of an enumeration: wire value → meaning, in documented order.
pub type EnumValues = IndexMap<String, String>;

/// One API method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    /// The wire name, e.g. `getChat`.
    pub name: String,
    /// Other names the vendor uses for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Versions in which it exists.
    pub versions: Vec<Version>,
    /// Read or write.
    pub kind: Kind,
    /// What it does.
    pub description: String,
    /// The vendor's grouping, e.g. `data_extraction.paged`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The shape of `Data`.
    pub data: DataShape,
    /// Documented parameters.
    pub params: Vec<Param>,
    /// Parameter families with open names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamic_params: Vec<DynamicParam>,
    /// Rules over several parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Paging per version, or `null`.
    pub paging: Option<Paging>,
    /// The server's page cap.
    pub max_page_size: Option<u32>,
    /// Documented record fields.
    pub returns: Vec<Field>,
    /// Set when the vendor's table of returned fields is visibly cut off: why it is thought
    /// incomplete. Undocumented fields still arrive (in a record's `extra`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns_incomplete: Option<String>,
    /// Enumerations referenced as `enum:<Name>`.
    pub enums: BTreeMap<String, EnumValues>,
    /// Source pages.
    pub docs: Vec<String>,
}

/// The entity of a value named `name` of type `ty`: the manifest's, else the naming rule's;
/// `None` unless it is an `id`.
fn id_entity(name: &str, ty: &TypeRef, entity: &Option<String>) -> Option<String> {
    (*ty == TypeRef::Id).then(|| {
        entity
            .clone()
            .unwrap_or_else(|| crate::ids::entity_for(name))
    })
}

impl Param {
    /// For an `id`: the entity it identifies, from the manifest or else by the naming rule.
    pub fn id_entity(&self) -> Option<String> {
        id_entity(&self.name, &self.ty, &self.entity)
    }
}

impl Field {
    /// For an `id`: the entity it identifies, from the manifest or else by the naming rule.
    pub fn id_entity(&self) -> Option<String> {
        id_entity(&self.name, &self.ty, &self.entity)
    }
}

impl Method {
    /// An enumeration's values in words, `wire = meaning` joined by `; ` in documented
    /// order; empty when the method has no enumeration of that name.
    ///
    /// ```
    /// let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    /// let method = manifest.method("getLoginActivity").unwrap();
    /// assert!(method.enum_text("ServiceType").starts_with("1 = "));
    /// ```
    pub fn enum_text(&self, name: &str) -> String {
        self.enums
            .get(name)
            .map(|values| {
                values
                    .iter()
                    .map(|(wire, meaning)| format!("{wire} = {meaning}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }

    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// True when the method exists in `version`.
    pub fn has_version(&self, version: Version) -> bool {
        self.versions.contains(&version)
    }

    /// The paging of one version.
    pub fn paging_for(&self, version: Version) -> Option<&PagingStyle> {
        self.paging.as_ref().and_then(|p| p.get(version))
    }

    /// True when the method takes a `FromDate`/`ToDate` window (both date-times).
    pub fn has_date_window(&self) -> bool {
        ["FromDate", "ToDate"]
            .iter()
            .all(|name| self.param(name).is_some_and(|p| p.ty == TypeRef::Datetime))
    }

    /// The record field a `FromDate`/`ToDate` window selects on: the first of `Created`,
    /// `Started`, `Ended`, `Answered` and `Updated` that the method returns as a date-time;
    /// `None` when its documented fields have none of them.
    ///
    /// ```
    /// let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    /// let messages = manifest.method("getAllChatMessages").unwrap();
    /// assert_eq!(messages.window_field(), Some("Created"));
    /// ```
    pub fn window_field(&self) -> Option<&str> {
        ["Created", "Started", "Ended", "Answered", "Updated"]
            .into_iter()
            .find(|name| {
                self.returns
                    .iter()
                    .any(|f| f.name == *name && f.ty == TypeRef::Datetime)
            })
    }
}
