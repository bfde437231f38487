//! From what pages say to manifest methods: the type vocabulary, per-version availability,
//! merging a method's v1 and v2 pages, envelope rows, paging style and data shape.

use std::collections::BTreeMap;

use bold360_api_spec::model::{PagingStyle, StartUnit};
use bold360_api_spec::{
    DataShape, DynamicParam, EnumValues, Field, Kind, Method, Paging, Param, TypeRef, Version,
};

use super::page::{Page, PageNote, Row};

/// A note for the report: something odd the tool handled, with page and row.
pub type Warning = PageNote;

/// Rows of the return table that describe the envelope, not the records.
const ENVELOPE_ROWS: [&str; 8] = [
    "Data",
    "Truncated",
    "Next",
    "NextPage",
    "Status",
    "Message",
    "StatusCode",
    "FieldTypes",
];

fn ends_with_id(name: &str) -> bool {
    name.ends_with("ID") || name.ends_with("Id")
}

/// Whole numbers the docs define as a size or an offset, which cannot be negative: the paging
/// parameters. They are `count` (unsigned in Rust, so `page_size(-5)` does not compile).
const COUNT_NAMES: [&str; 2] = ["PageSize", "PageStart"];

/// Maps a vendor type string to the vocabulary. The second value is a warning when the string
/// was not understood (the type then falls back to `string`).
pub fn normalize_type(raw: &str, name: &str) -> (TypeRef, Option<String>) {
    // Alternatives (`byte / integer`) that all mean the same type are that type.
    if raw.contains('/') {
        let alternatives: Vec<(TypeRef, Option<String>)> = raw
            .split('/')
            .map(|part| normalize_type(part, name))
            .collect();
        if alternatives
            .iter()
            .all(|(ty, w)| w.is_none() && *ty == alternatives[0].0)
        {
            return (alternatives[0].0.clone(), None);
        }
    }
    let t = raw.trim().to_ascii_lowercase();
    let id_or = |other: TypeRef| {
        if ends_with_id(name) {
            TypeRef::Id
        } else {
            other
        }
    };
    let ty = if t.is_empty() {
        if ends_with_id(name) {
            TypeRef::Id
        } else {
            return (
                TypeRef::String,
                Some(format!("{name}: no type given; using string")),
            );
        }
    } else if t.contains("id code") || t.contains("string id") {
        TypeRef::Id
    } else if t.starts_with("long")
        || t.starts_with("integer")
        || t.starts_with("int ")
        || t == "int"
        || t == "byte"
        || t == "short"
    {
        if COUNT_NAMES.contains(&name) {
            TypeRef::Count
        } else {
            id_or(TypeRef::Integer)
        }
    } else if t == "numeric" || t.starts_with("numeric ") {
        id_or(TypeRef::Number)
    } else if t.starts_with("double") || t.starts_with("float") || t.starts_with("decimal") {
        TypeRef::Number
    } else if t.starts_with("date") || t.starts_with("time") {
        TypeRef::Datetime
    } else if t.starts_with("boolean") || t == "bool" {
        TypeRef::Boolean
    } else if t.starts_with("json") || t == "object" || t == "array" {
        TypeRef::Json
    } else if t.starts_with("string") || t.starts_with("text") || t.starts_with("code") {
        TypeRef::String
    } else {
        return (
            TypeRef::String,
            Some(format!("{name}: unknown type {raw:?}; using string")),
        );
    };
    (ty, None)
}

/// A parameter whose value is a secret, by its name: a password or another secret
/// (`Password`, `NewPassword`, `ClientSecret`). Flags about passwords
/// (`ForcePasswordChangeOnNextLogin`) are not secrets. Other secrets are marked in
/// overrides.json (`"sensitive": true`).
pub fn is_secret_name(name: &str) -> bool {
    name.ends_with("Password") || name.ends_with("Secret")
}

/// `ChatType (aka ChatLaunchType)` → (`ChatType`, Some(`ChatLaunchType`)).
pub fn split_aka(name: &str) -> (String, Option<String>) {
    match name.split_once('(') {
        Some((base, rest)) => {
            let inner = rest.trim_end_matches(')').trim();
            let aka = inner.strip_prefix("aka ").map(|s| s.trim().to_owned());
            (
                base.trim().to_owned(),
                aka.or_else(|| Some(inner.to_owned())),
            )
        }
        None => (name.trim().to_owned(), None),
    }
}

/// The enum name for a field: its name without a trailing `ID`.
pub fn enum_name(field: &str) -> String {
    let base = field
        .strip_suffix("ID")
        .filter(|b| !b.is_empty())
        .unwrap_or(field);
    base.to_owned()
}

/// The method name a page documents: the request sample's, else the title.
pub fn wire_name(page: &Page) -> String {
    page.sample_name
        .clone()
        .unwrap_or_else(|| page.title.clone())
}

struct Builder<'a> {
    method: Method,
    warnings: &'a mut Vec<Warning>,
    has_truncated: bool,
    says_none: bool,
}

impl Builder<'_> {
    fn warn(&mut self, page: &Page, row: Option<usize>, message: String) {
        self.warnings.push(Warning {
            page: page.file.clone(),
            row,
            message,
        });
    }

    /// The type of a row, turned into an enum when the row lists values.
    fn typed(&mut self, page: &Page, row: &Row, name: &str) -> TypeRef {
        let (ty, warning) = normalize_type(&row.ty, name);
        if let Some(w) = warning {
            self.warn(page, Some(row.number), w);
        }
        if row.values.is_empty()
            || matches!(ty, TypeRef::Boolean | TypeRef::Json | TypeRef::Datetime)
        {
            return ty;
        }
        let enum_name = enum_name(name);
        let values: EnumValues = row.values.iter().cloned().collect();
        match self.method.enums.get_mut(&enum_name) {
            Some(existing) if *existing != values => {
                for (k, v) in values {
                    existing.entry(k).or_insert(v);
                }
                self.warn(
                    page,
                    Some(row.number),
                    format!("{name}: values differ from another row; merged"),
                );
            }
            Some(_) => {}
            None => {
                self.method.enums.insert(enum_name.clone(), values);
            }
        }
        TypeRef::Enum(enum_name)
    }

    fn add_param(&mut self, page: &Page, row: &Row) {
        let (name, aka) = split_aka(&row.name);
        if name.contains('<') {
            self.method.dynamic_params.push(DynamicParam {
                pattern: name,
                description: row.description.clone(),
            });
            return;
        }
        let ty = self.typed(page, row, &name);
        let required = match row
            .required
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("yes") => true,
            Some("no") | None => false,
            Some("yes*") => {
                self.warn(page, Some(row.number), format!("{name}: conditionally required (Yes*); sent as optional, the rule belongs in overrides.json"));
                false
            }
            Some(other) => {
                self.warn(
                    page,
                    Some(row.number),
                    format!("{name}: unknown Required value {other:?}; taken as no"),
                );
                false
            }
        };
        let mut versions: Vec<Version> = match row
            .version
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("all") | Some("") => page.versions.clone(),
            Some("v1") => page
                .versions
                .iter()
                .copied()
                .filter(|v| *v == Version::V1)
                .collect(),
            Some("v2") => page
                .versions
                .iter()
                .copied()
                .filter(|v| *v == Version::V2)
                .collect(),
            Some(other) => {
                self.warn(
                    page,
                    Some(row.number),
                    format!("{name}: unknown Version value {other:?}; taken as All"),
                );
                page.versions.clone()
            }
        };
        // The NextPage cursor is the v2 paging mechanism; it does not exist in v1.
        if name == "NextPage" {
            versions.retain(|v| *v == Version::V2);
        }
        if versions.is_empty() {
            self.warn(
                page,
                Some(row.number),
                format!("{name}: in no version this page documents; left out"),
            );
            return;
        }
        let mut description = row.description.clone();
        if let Some(aka) = aka {
            description = format!("{description} (also called {aka})")
                .trim()
                .to_owned();
        }
        if let Some(existing) = self.method.params.iter_mut().find(|p| p.name == name) {
            for v in versions {
                if !existing.versions.contains(&v) {
                    existing.versions.push(v);
                }
            }
            existing.versions.sort();
            let (old_ty, old_required) = (existing.ty.clone(), existing.required);
            if existing.description.is_empty() {
                existing.description = description;
            }
            if old_ty != ty {
                self.warn(
                    page,
                    Some(row.number),
                    format!("{name}: type {ty} here, {old_ty} on another page; kept {old_ty}"),
                );
            }
            if old_required != required {
                self.warn(
                    page,
                    Some(row.number),
                    format!("{name}: Required differs between pages; kept {old_required}"),
                );
            }
            return;
        }
        let sensitive = is_secret_name(&name);
        self.method.params.push(Param {
            name,
            ty,
            entity: None,
            required,
            sensitive,
            versions,
            description,
        });
    }

    fn add_field(&mut self, page: &Page, row: &Row) {
        let (name, aka) = split_aka(&row.name);
        let name = name
            .strip_prefix("Data.")
            .map(str::to_owned)
            .unwrap_or(name);
        if name == "Truncated" {
            self.has_truncated = true;
        }
        if ENVELOPE_ROWS.contains(&name.as_str()) {
            return;
        }
        let ty = self.typed(page, row, &name);
        let mut description = row.description.clone();
        if let Some(aka) = aka {
            description = format!("{description} (also called {aka})")
                .trim()
                .to_owned();
        }
        if let Some(existing) = self.method.returns.iter().find(|f| f.name == name) {
            if existing.ty != ty {
                let kept = existing.ty.clone();
                self.warn(
                    page,
                    Some(row.number),
                    format!("field {name}: listed again as {ty}; kept {kept}"),
                );
            }
            return;
        }
        self.method.returns.push(Field {
            name,
            ty,
            entity: None,
            description,
        });
    }
}

/// Read or write, by the SDK's rule (`MethodKind::from_name`), so that a call by name and the
/// method's manifest entry always agree: `get` followed by an upper-case letter reads
/// (`getChat`); `getaway` is a write.
pub fn kind_of(name: &str) -> Kind {
    match bold360_sdk::MethodKind::from_name(name) {
        bold360_sdk::MethodKind::Read => Kind::Read,
        bold360_sdk::MethodKind::Write => Kind::Write,
    }
}

/// Builds one method from its pages (one per version, or one for both).
pub fn build_method(
    name: &str,
    pages: &[&Page],
    category: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Method {
    let mut pages = pages.to_vec();
    pages.sort_by_key(|p| (p.versions.clone(), p.file.clone()));
    let first = pages[0];
    let mut b = Builder {
        method: Method {
            name: name.to_owned(),
            aliases: Vec::new(),
            versions: Vec::new(),
            kind: kind_of(name),
            description: first.description.clone(),
            category: category.map(str::to_owned),
            data: DataShape::Object,
            params: Vec::new(),
            dynamic_params: Vec::new(),
            constraints: Vec::new(),
            paging: None,
            max_page_size: None,
            returns: Vec::new(),
            returns_incomplete: None,
            enums: BTreeMap::new(),
            docs: Vec::new(),
        },
        warnings,
        has_truncated: false,
        says_none: false,
    };
    for page in &pages {
        if page.title != name {
            b.warn(page, None, format!("the title {:?} disagrees with the request sample's method {name:?}; the sample's name is used", page.title));
        }
        for v in &page.versions {
            if !b.method.versions.contains(v) {
                b.method.versions.push(*v);
            }
        }
        b.method.docs.push(page.file.clone());
        b.method.max_page_size = b.method.max_page_size.max(page.max_page_size);
        for row in &page.inputs {
            b.add_param(page, row);
        }
        match &page.returns {
            Some(rows) => {
                for row in rows {
                    b.add_field(page, row);
                }
                if b.method.returns_incomplete.is_none() {
                    b.method.returns_incomplete = cut_off(page, rows);
                }
            }
            None => b.says_none = true,
        }
    }
    b.method.versions.sort();
    b.method.docs.sort();
    b.method
        .returns
        .sort_by_key(|f| f.name.to_ascii_lowercase());
    b.method.paging = derive_paging(&b.method);
    let listy = b.method.paging.is_some()
        || b.method.max_page_size.is_some()
        || b.has_truncated
        || category == Some("data_extraction.list_data");
    b.method.data = if listy {
        DataShape::Array
    } else if b.says_none || b.method.returns.is_empty() && !pages.iter().any(|p| has_data_row(p)) {
        DataShape::None
    } else {
        DataShape::Object
    };
    b.method
}

/// Letters a complete alphabetical table of record fields does not stop before: the vendor's
/// record tables run at least into the `M`s (`Modified`, `Name`, `OperatorID`, …) unless cut.
const CUT_OFF_BEFORE: char = 'I';

/// Why a return table looks cut off: it says it is alphabetical, its record rows are, and
/// yet they stop early in the alphabet (`getContact` stops at `FolderID`). A table whose rows
/// are not in order proves nothing either way.
pub fn cut_off(page: &Page, rows: &[Row]) -> Option<String> {
    if !page.returns_alphabetical {
        return None;
    }
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            let name = split_aka(&r.name).0;
            name.strip_prefix("Data.")
                .map(str::to_owned)
                .unwrap_or(name)
        })
        .filter(|n| !ENVELOPE_ROWS.contains(&n.as_str()))
        .collect();
    let sorted = names
        .windows(2)
        .all(|w| w[0].to_ascii_lowercase() <= w[1].to_ascii_lowercase());
    let last = names.last()?;
    let first = last.chars().next()?.to_ascii_uppercase();
    (sorted && first < CUT_OFF_BEFORE).then(|| {
        format!(
            "the {} table is in alphabetical order, as it says, but stops at {last} after {} field(s)",
            page.file,
            names.len()
        )
    })
}

fn has_data_row(page: &Page) -> bool {
    page.returns
        .iter()
        .flatten()
        .any(|r| r.name == "Data" || r.name.starts_with("Data."))
}

/// Paging per version from the parameters available in it: `NextPage` means a cursor,
/// `PageStart` an offset.
pub fn derive_paging(method: &Method) -> Option<Paging> {
    let available =
        |name: &str, v: Version| method.param(name).is_some_and(|p| p.versions.contains(&v));
    let style = |v: Version| {
        let size = available("PageSize", v).then(|| "PageSize".to_owned());
        if available("NextPage", v) {
            Some(PagingStyle::Cursor {
                cursor_param: "NextPage".to_owned(),
                size_param: size,
                page_param: None,
            })
        } else if available("PageStart", v) {
            size.map(|size_param| PagingStyle::Offset {
                start_param: "PageStart".to_owned(),
                size_param,
                start_unit: StartUnit::Records,
            })
        } else {
            None
        }
    };
    let paging = Paging {
        v1: method
            .has_version(Version::V1)
            .then(|| style(Version::V1))
            .flatten(),
        v2: method
            .has_version(Version::V2)
            .then(|| style(Version::V2))
            .flatten(),
    };
    (paging.v1.is_some() || paging.v2.is_some()).then_some(paging)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_is_the_sdk_rule() {
        assert_eq!(kind_of("getChat"), Kind::Read);
        assert_eq!(
            kind_of("getaway"),
            Kind::Write,
            "get must be followed by a word"
        );
        assert_eq!(kind_of("get"), Kind::Write);
        assert_eq!(kind_of("setOperatorAvailability"), Kind::Write);
    }

    #[test]
    fn vendor_types_map_to_the_vocabulary() {
        let cases = [
            ("numeric - ID code", "ChatID", TypeRef::Id),
            ("string id", "ReportID", TypeRef::Id),
            ("numeric - ID code / string id", "ChatID", TypeRef::Id),
            ("long", "ChatMessageID", TypeRef::Id),
            ("long", "FolderType", TypeRef::Integer),
            ("integer", "TemplateOperatorID", TypeRef::Id),
            ("integer", "PageSize", TypeRef::Count),
            ("long", "PageStart", TypeRef::Count),
            ("byte", "Hidden", TypeRef::Integer),
            (
                "integer (milliseconds)",
                "EstimatedWaitTime",
                TypeRef::Integer,
            ),
            ("numeric", "FolderID", TypeRef::Id),
            ("double", "Score", TypeRef::Number),
            ("date - ISO / UTC", "Created", TypeRef::Datetime),
            ("date", "FromDate", TypeRef::Datetime),
            ("datetime", "Updated", TypeRef::Datetime),
            ("Boolean", "Forced", TypeRef::Boolean),
            ("boolean", "Truncated", TypeRef::Boolean),
            ("json object", "Next", TypeRef::Json),
            ("JSON array", "Data", TypeRef::Json),
            ("string(30)", "Name", TypeRef::String),
            ("string - legal email", "Email", TypeRef::String),
            ("text - heading", "Data", TypeRef::String),
            ("code - ISO 639", "LanguageCode", TypeRef::String),
            ("codes - set values", "Type", TypeRef::String),
            ("", "OperatorID", TypeRef::Id),
            ("byte / integer", "ChatStatusType", TypeRef::Integer),
            ("date - ISO / UTC", "Created", TypeRef::Datetime),
        ];
        for (raw, name, want) in cases {
            let (got, warning) = normalize_type(raw, name);
            assert_eq!(got, want, "{raw:?} for {name}");
            assert!(warning.is_none(), "{raw:?}");
        }
        let (ty, warning) = normalize_type("uuid", "Key");
        assert_eq!(ty, TypeRef::String);
        assert!(warning.unwrap().contains("unknown type \"uuid\""));
        assert!(normalize_type("", "Started").1.is_some());
    }

    #[test]
    fn secrets_by_name() {
        assert!(is_secret_name("Password"));
        assert!(is_secret_name("NewPassword"));
        assert!(is_secret_name("ClientSecret"));
        assert!(!is_secret_name("ForcePasswordChangeOnNextLogin"));
        assert!(!is_secret_name("UserKey"));
    }

    #[test]
    fn aka_and_enum_names() {
        assert_eq!(
            split_aka("ChatType (aka ChatLaunchType)"),
            ("ChatType".into(), Some("ChatLaunchType".into()))
        );
        assert_eq!(split_aka("ChatID"), ("ChatID".into(), None));
        assert_eq!(enum_name("ServiceTypeID"), "ServiceType");
        assert_eq!(enum_name("ID"), "ID");
        assert_eq!(enum_name("PersonType"), "PersonType");
    }
}
