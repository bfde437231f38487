//! Checking method files. Every problem is reported, each with its file and JSON pointer, so
//! one run (or one build) shows everything that needs fixing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use crate::model::{is_identifier, Method, TypeRef, Version};
use crate::SourceFile;

/// One thing wrong with a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, e.g. `methods/getChat.json`.
    pub file: String,
    /// JSON pointer of the value at fault, e.g. `/params/0/type` (empty for the whole file).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem.
    pub fn new(
        file: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.pointer, self.message)
        }
    }
}

const METHOD_KEYS: [(&str, bool); 16] = [
    ("name", true),
    ("aliases", false),
    ("versions", true),
    ("kind", true),
    ("description", true),
    ("category", false),
    ("data", true),
    ("params", true),
    ("dynamic_params", false),
    ("constraints", false),
    ("paging", true),
    ("max_page_size", true),
    ("returns", true),
    ("returns_incomplete", false),
    ("enums", true),
    ("docs", true),
];

/// Validates every file and the set as a whole; returns the methods in file order.
pub fn validate_files(files: &[SourceFile]) -> Result<Vec<Method>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut methods = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let value: Value = match serde_json::from_str(&file.text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem::new(&file.path, "", format!("invalid JSON: {e}")));
                continue;
            }
        };
        let mut ctx = Ctx {
            file: &file.path,
            problems: Vec::new(),
        };
        ctx.method(&value);
        if let Some(name) = value.get("name").and_then(Value::as_str) {
            let stem = file
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&file.path)
                .trim_end_matches(".json");
            if stem != name {
                ctx.push(
                    "/name",
                    format!("the method {name:?} must be in a file named {name}.json"),
                );
            }
            let aliases = value
                .get("aliases")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let all = std::iter::once(name.to_owned())
                .chain(aliases.iter().filter_map(|a| a.as_str().map(str::to_owned)));
            for n in all {
                if let Some(other) = names.insert(n.clone(), file.path.clone()) {
                    ctx.push(
                        "/name",
                        format!("duplicate method {n:?}: also defined in {other}"),
                    );
                }
            }
        }
        if ctx.problems.is_empty() {
            match serde_json::from_value::<Method>(value) {
                Ok(m) => methods.push(m),
                Err(e) => ctx.push("", e.to_string()),
            }
        }
        problems.append(&mut ctx.problems);
    }
    if problems.is_empty() {
        Ok(methods)
    } else {
        Err(problems)
    }
}

struct Ctx<'a> {
    file: &'a str,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn push(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.problems
            .push(Problem::new(self.file, pointer, message));
    }

    fn object<'v>(
        &mut self,
        value: &'v Value,
        at: &str,
        keys: &[(&str, bool)],
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.push(at, format!("expected an object, got {}", kind_of(value)));
            return None;
        };
        for (key, required) in keys {
            if *required && !map.contains_key(*key) {
                self.push(at, format!("missing required key {key:?}"));
            }
        }
        for key in map.keys() {
            if !keys.iter().any(|(k, _)| k == key) {
                let known: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
                self.push(
                    format!("{at}/{}", escape(key)),
                    format!("unknown key {key:?} (known keys: {})", known.join(", ")),
                );
            }
        }
        Some(map)
    }

    fn string<'v>(&mut self, value: Option<&'v Value>, at: &str) -> Option<&'v str> {
        match value? {
            Value::String(s) => Some(s),
            other => {
                self.push(at, format!("expected a string, got {}", kind_of(other)));
                None
            }
        }
    }

    fn array<'v>(&mut self, value: Option<&'v Value>, at: &str) -> &'v [Value] {
        match value {
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.push(at, format!("expected an array, got {}", kind_of(other)));
                &[]
            }
            None => &[],
        }
    }

    fn one_of(&mut self, value: Option<&Value>, at: &str, allowed: &[&str]) {
        if let Some(s) = self.string(value, at) {
            if !allowed.contains(&s) {
                self.push(at, format!("expected one of {allowed:?}, got {s:?}"));
            }
        }
    }

    fn versions(
        &mut self,
        value: Option<&Value>,
        at: &str,
        within: &BTreeSet<Version>,
    ) -> BTreeSet<Version> {
        let mut seen = BTreeSet::new();
        let items = self.array(value, at);
        if value.is_some() && items.is_empty() {
            self.push(at, "must list at least one version");
        }
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}/{i}");
            let version = match item.as_str() {
                Some("v1") => Version::V1,
                Some("v2") => Version::V2,
                _ => {
                    self.push(here, format!("expected \"v1\" or \"v2\", got {item}"));
                    continue;
                }
            };
            if !seen.insert(version) {
                self.push(here, format!("{} is listed twice", version.as_str()));
            } else if !within.is_empty() && !within.contains(&version) {
                self.push(
                    here,
                    format!("the method itself does not exist in {}", version.as_str()),
                );
            }
        }
        seen
    }

    fn type_ref(&mut self, value: Option<&Value>, at: &str, enums: &BTreeSet<String>) {
        let Some(text) = self.string(value, at) else {
            return;
        };
        match text.parse::<TypeRef>() {
            Ok(TypeRef::Enum(name)) if !enums.contains(&name) => {
                self.push(
                    at,
                    format!("type {text:?} names an enum that is not defined under /enums"),
                );
            }
            Ok(_) => {}
            Err(_) => self.push(
                at,
                format!(
                    "unknown type {text:?} (expected one of {}, or enum:<Name>)",
                    TypeRef::NAMES.join(", ")
                ),
            ),
        }
    }

    fn method(&mut self, value: &Value) {
        let Some(map) = self.object(value, "", &METHOD_KEYS) else {
            return;
        };
        if let Some(name) = self.string(map.get("name"), "/name") {
            if !is_identifier(name) || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
                self.push("/name", format!("method name {name:?} must be letters and digits starting with a lower-case letter"));
            }
        }
        for (i, alias) in self
            .array(map.get("aliases"), "/aliases")
            .iter()
            .enumerate()
        {
            if !alias.as_str().is_some_and(is_identifier) {
                self.push(
                    format!("/aliases/{i}"),
                    format!("an alias must be an identifier, got {alias}"),
                );
            }
        }
        let versions = self.versions(map.get("versions"), "/versions", &BTreeSet::new());
        self.one_of(map.get("kind"), "/kind", &["read", "write"]);
        self.string(map.get("description"), "/description");
        if map.contains_key("category") {
            self.string(map.get("category"), "/category");
        }
        self.one_of(map.get("data"), "/data", &["object", "array", "none"]);

        let enums = self.enums(map.get("enums"));
        let params = self.params(map.get("params"), &versions, &enums);

        for (i, dynamic) in self
            .array(map.get("dynamic_params"), "/dynamic_params")
            .iter()
            .enumerate()
        {
            let at = format!("/dynamic_params/{i}");
            if let Some(obj) =
                self.object(dynamic, &at, &[("pattern", true), ("description", true)])
            {
                self.string(obj.get("pattern"), &format!("{at}/pattern"));
                self.string(obj.get("description"), &format!("{at}/description"));
            }
        }
        for (i, constraint) in self
            .array(map.get("constraints"), "/constraints")
            .iter()
            .enumerate()
        {
            let at = format!("/constraints/{i}");
            let Some(obj) = constraint.as_object() else {
                self.push(at, "expected an object such as {\"exactly_one_of\": [...]}");
                continue;
            };
            if obj.len() != 1 {
                self.push(
                    &at,
                    "a constraint has exactly one key: exactly_one_of or all_or_none",
                );
            }
            for (key, names) in obj {
                let here = format!("{at}/{}", escape(key));
                if key != "exactly_one_of" && key != "all_or_none" {
                    self.push(
                        &here,
                        format!(
                            "unknown constraint {key:?} (expected exactly_one_of or all_or_none)"
                        ),
                    );
                    continue;
                }
                let names = self.array(Some(names), &here);
                if names.len() < 2 {
                    self.push(&here, "a constraint names at least two parameters");
                }
                for (j, name) in names.iter().enumerate() {
                    if !name.as_str().is_some_and(|n| params.contains_key(n)) {
                        self.push(
                            format!("{here}/{j}"),
                            format!("{name} is not a parameter of this method"),
                        );
                    }
                }
            }
        }
        self.paging(map.get("paging"), &versions, &params);
        match map.get("max_page_size") {
            None | Some(Value::Null) => {}
            Some(v)
                if v.as_u64()
                    .is_some_and(|n| n > 0 && n <= u64::from(u32::MAX)) => {}
            Some(v) => self.push(
                "/max_page_size",
                format!("expected null or a positive integer, got {v}"),
            ),
        }
        self.returns(map.get("returns"), &enums);
        if map.contains_key("returns_incomplete") {
            if let Some(why) = self.string(map.get("returns_incomplete"), "/returns_incomplete") {
                if why.trim().is_empty() {
                    self.push(
                        "/returns_incomplete",
                        "say why the table is thought incomplete",
                    );
                }
            }
        }
        for (i, doc) in self.array(map.get("docs"), "/docs").iter().enumerate() {
            if !doc.is_string() {
                self.push(
                    format!("/docs/{i}"),
                    format!("expected a URL string, got {}", kind_of(doc)),
                );
            }
        }
    }

    /// `entity` is only for `id` types, and is a snake_case entity name.
    fn entity(&mut self, obj: &Map<String, Value>, at: &str) {
        let Some(value) = obj.get("entity") else {
            return;
        };
        let here = format!("{at}/entity");
        if let Some(name) = self.string(Some(value), &here) {
            if !crate::ids::is_entity_name(name) {
                self.push(
                    &here,
                    format!(
                        "entity {name:?} must be lower-case words joined by _ (e.g. chat_message)"
                    ),
                );
            }
        }
        if obj.get("type").and_then(Value::as_str) != Some("id") {
            self.push(here, "only an \"id\" has an entity");
        }
    }

    fn enums(&mut self, value: Option<&Value>) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        let Some(value) = value else { return names };
        let Some(map) = value.as_object() else {
            self.push(
                "/enums",
                format!("expected an object of enumerations, got {}", kind_of(value)),
            );
            return names;
        };
        for (name, values) in map {
            let at = format!("/enums/{}", escape(name));
            if !is_identifier(name) {
                self.push(
                    &at,
                    format!("enum name {name:?} must be letters, digits or _"),
                );
            }
            match values.as_object() {
                Some(values) if !values.is_empty() => {
                    for (wire, meaning) in values {
                        if !meaning.is_string() {
                            self.push(
                                format!("{at}/{}", escape(wire)),
                                "the meaning of a value must be a string",
                            );
                        }
                        if wire.trim().is_empty() {
                            self.push(&at, "an enum value must not be empty");
                        }
                    }
                }
                _ => self.push(&at, "expected a non-empty object of value → meaning"),
            }
            names.insert(name.clone());
        }
        names
    }

    fn params(
        &mut self,
        value: Option<&Value>,
        versions: &BTreeSet<Version>,
        enums: &BTreeSet<String>,
    ) -> BTreeMap<String, BTreeSet<Version>> {
        let mut seen = BTreeMap::new();
        let keys = [
            ("name", true),
            ("type", true),
            ("entity", false),
            ("required", true),
            ("sensitive", false),
            ("versions", true),
            ("description", true),
        ];
        for (i, param) in self.array(value, "/params").iter().enumerate() {
            let at = format!("/params/{i}");
            let Some(obj) = self.object(param, &at, &keys) else {
                continue;
            };
            let name = self.string(obj.get("name"), &format!("{at}/name"));
            self.type_ref(obj.get("type"), &format!("{at}/type"), enums);
            self.entity(obj, &at);
            for key in ["required", "sensitive"] {
                if obj.get(key).is_some_and(|r| !r.is_boolean()) {
                    self.push(format!("{at}/{key}"), "expected true or false");
                }
            }
            let param_versions =
                self.versions(obj.get("versions"), &format!("{at}/versions"), versions);
            self.string(obj.get("description"), &format!("{at}/description"));
            if let Some(name) = name {
                if name.is_empty()
                    || name
                        .chars()
                        .any(|c| c.is_whitespace() || c == '<' || c == '>')
                {
                    self.push(
                        format!("{at}/name"),
                        format!("parameter name {name:?} must not be empty or contain spaces or <> (correct vendor quirks in overrides.json; use dynamic_params for patterns)"),
                    );
                }
                if seen.insert(name.to_owned(), param_versions).is_some() {
                    self.push(
                        format!("{at}/name"),
                        format!("parameter {name:?} is listed twice"),
                    );
                }
            }
        }
        seen
    }

    fn paging(
        &mut self,
        value: Option<&Value>,
        versions: &BTreeSet<Version>,
        params: &BTreeMap<String, BTreeSet<Version>>,
    ) {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return;
        };
        let Some(map) = self.object(value, "/paging", &[("v1", false), ("v2", false)]) else {
            return;
        };
        for (key, style) in map {
            let version = match key.as_str() {
                "v1" => Version::V1,
                "v2" => Version::V2,
                _ => continue,
            };
            let at = format!("/paging/{key}");
            if !versions.contains(&version) {
                self.push(&at, format!("the method does not exist in {key}"));
            }
            let Some(kind) = style.get("style").and_then(Value::as_str) else {
                self.push(&at, "missing \"style\": \"offset\" or \"cursor\"");
                continue;
            };
            let (keys, refs): (&[(&str, bool)], &[&str]) = match kind {
                "offset" => (
                    &[
                        ("style", true),
                        ("start_param", true),
                        ("size_param", true),
                        ("start_unit", true),
                    ],
                    &["start_param", "size_param"],
                ),
                "cursor" => (
                    &[
                        ("style", true),
                        ("cursor_param", true),
                        ("size_param", false),
                        ("page_param", false),
                    ],
                    &["cursor_param", "size_param", "page_param"],
                ),
                other => {
                    self.push(
                        format!("{at}/style"),
                        format!("expected \"offset\" or \"cursor\", got {other:?}"),
                    );
                    continue;
                }
            };
            let Some(obj) = self.object(style, &at, keys) else {
                continue;
            };
            if kind == "offset" {
                self.one_of(
                    obj.get("start_unit"),
                    &format!("{at}/start_unit"),
                    &["records", "pages"],
                );
            }
            for key in refs {
                let here = format!("{at}/{key}");
                let Some(name) = self.string(obj.get(*key), &here) else {
                    continue;
                };
                match params.get(name) {
                    Some(vs) if vs.contains(&version) => {}
                    Some(_) => self.push(
                        here,
                        format!("parameter {name:?} does not exist in {}", version.as_str()),
                    ),
                    None => self.push(here, format!("{name:?} is not a parameter of this method")),
                }
            }
        }
    }

    fn returns(&mut self, value: Option<&Value>, enums: &BTreeSet<String>) {
        let mut seen = BTreeSet::new();
        let keys = [
            ("name", true),
            ("type", true),
            ("entity", false),
            ("description", false),
        ];
        for (i, field) in self.array(value, "/returns").iter().enumerate() {
            let at = format!("/returns/{i}");
            let Some(obj) = self.object(field, &at, &keys) else {
                continue;
            };
            if let Some(name) = self.string(obj.get("name"), &format!("{at}/name")) {
                if !is_identifier(name) {
                    self.push(
                        format!("{at}/name"),
                        format!("field name {name:?} must be letters, digits or _"),
                    );
                }
                if !seen.insert(name.to_owned()) {
                    self.push(
                        format!("{at}/name"),
                        format!("field {name:?} is listed twice"),
                    );
                }
            }
            self.type_ref(obj.get("type"), &format!("{at}/type"), enums);
            self.entity(obj, &at);
            if obj.contains_key("description") {
                self.string(obj.get("description"), &format!("{at}/description"));
            }
        }
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
