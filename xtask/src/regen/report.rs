//! The change report: what a regeneration changes, method by method, and what each change
//! means for the SDK's users under semver.
//!
//! For code written against the generated SDK:
//! - **breaking**: a method, version, parameter, returned field, alias, enum value or
//!   parameter family removed; a parameter that becomes required (a new constructor
//!   argument) or stops being required (an argument removed); a changed type (including the
//!   entity of an ID, which is its Rust type); a new required parameter; a new constraint;
//!   changed paging or data shape.
//! - **additive**: a new method, version, optional parameter, returned field, alias, enum
//!   value or parameter family; a constraint removed.
//! - **other**: descriptions, doc links, page caps, the incomplete-returns note.

use std::collections::BTreeMap;
use std::fmt;

use bold360_api_spec::{Method, Param, TypeRef, Version};

/// What a change means for users of the SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Code that compiled may stop compiling or behave differently.
    Breaking,
    /// New API only.
    Additive,
    /// Docs and metadata.
    Other,
}

impl Impact {
    /// `Breaking`, `Additive` or `Other`: the report's group headings.
    pub fn heading(self) -> &'static str {
        match self {
            Impact::Breaking => "Breaking",
            Impact::Additive => "Additive",
            Impact::Other => "Other",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its semver impact.
    pub impact: Impact,
    /// `method: what` in words.
    pub line: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

fn versions(vs: &[Version]) -> String {
    vs.iter().map(|v| v.as_str()).collect::<Vec<_>>().join("+")
}

/// A type as users see it: an ID shows its entity.
fn type_text(ty: &TypeRef, entity: Option<String>) -> String {
    match entity {
        Some(e) => format!("id({e})"),
        None => ty.to_string(),
    }
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, impact: Impact, line: String) {
        self.0.push(Change { impact, line });
    }
}

/// Every change from `old` to `new` (both keyed by method name), classified.
pub fn changes(old: &BTreeMap<String, Method>, new: &BTreeMap<String, Method>) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    for (name, m) in new.iter().filter(|(n, _)| !old.contains_key(*n)) {
        out.push(
            Impact::Additive,
            format!("{name}: method added ({})", versions(&m.versions)),
        );
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        out.push(Impact::Breaking, format!("{name}: method removed"));
    }
    for (name, after) in new {
        if let Some(before) = old.get(name) {
            method_changes(&mut out, name, before, after);
        }
    }
    out.0.sort_by_key(|c| c.impact);
    out.0
}

fn method_changes(out: &mut Changes, name: &str, before: &Method, after: &Method) {
    for v in after.versions.iter().filter(|v| !before.has_version(**v)) {
        out.push(
            Impact::Additive,
            format!("{name}: version {} added", v.as_str()),
        );
    }
    for v in before.versions.iter().filter(|v| !after.has_version(**v)) {
        out.push(
            Impact::Breaking,
            format!("{name}: version {} removed", v.as_str()),
        );
    }
    for p in &after.params {
        match before.param(&p.name) {
            None if p.required => out.push(
                Impact::Breaking,
                format!(
                    "{name}: required parameter added: {} ({}, {})",
                    p.name,
                    p.ty,
                    versions(&p.versions)
                ),
            ),
            None => out.push(
                Impact::Additive,
                format!(
                    "{name}: parameter added: {} ({}, optional, {})",
                    p.name,
                    p.ty,
                    versions(&p.versions)
                ),
            ),
            Some(q) => param_changes(out, name, q, p),
        }
    }
    for q in before
        .params
        .iter()
        .filter(|q| after.param(&q.name).is_none())
    {
        out.push(
            Impact::Breaking,
            format!("{name}: parameter removed: {}", q.name),
        );
    }
    let fields = |m: &Method| {
        m.returns
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    (type_text(&f.ty, f.id_entity()), f.description.clone()),
                )
            })
            .collect::<BTreeMap<_, _>>()
    };
    let (fb, fa) = (fields(before), fields(after));
    for (f, (ty, doc)) in &fa {
        match fb.get(f) {
            None => out.push(Impact::Additive, format!("{name}: field added: {f} ({ty})")),
            Some((old_ty, _)) if old_ty != ty => out.push(
                Impact::Breaking,
                format!("{name}: field {f}: type {old_ty} → {ty}"),
            ),
            Some((_, old_doc)) if old_doc != doc => {
                out.push(Impact::Other, format!("{name}: field {f}: description"))
            }
            _ => {}
        }
    }
    for f in fb.keys().filter(|f| !fa.contains_key(*f)) {
        out.push(Impact::Breaking, format!("{name}: field removed: {f}"));
    }
    for (enum_name, values) in &after.enums {
        let old = before.enums.get(enum_name);
        for value in values.keys() {
            if !old.is_some_and(|o| o.contains_key(value)) && old.is_some() {
                out.push(
                    Impact::Additive,
                    format!("{name}: enum {enum_name}: value {value} added"),
                );
            }
        }
        for value in old.iter().flat_map(|o| o.keys()) {
            if !values.contains_key(value) {
                out.push(
                    Impact::Breaking,
                    format!("{name}: enum {enum_name}: value {value} removed"),
                );
            }
        }
    }
    for alias in after.aliases.iter().filter(|a| !before.aliases.contains(a)) {
        out.push(Impact::Additive, format!("{name}: alias added: {alias}"));
    }
    for alias in before.aliases.iter().filter(|a| !after.aliases.contains(a)) {
        out.push(Impact::Breaking, format!("{name}: alias removed: {alias}"));
    }
    for c in after
        .constraints
        .iter()
        .filter(|c| !before.constraints.contains(c))
    {
        out.push(Impact::Breaking, format!("{name}: constraint added: {c:?}"));
    }
    for c in before
        .constraints
        .iter()
        .filter(|c| !after.constraints.contains(c))
    {
        out.push(
            Impact::Additive,
            format!("{name}: constraint removed: {c:?}"),
        );
    }
    let patterns = |m: &Method| {
        m.dynamic_params
            .iter()
            .map(|d| d.pattern.clone())
            .collect::<Vec<_>>()
    };
    let (pb, pa) = (patterns(before), patterns(after));
    for p in pa.iter().filter(|p| !pb.contains(p)) {
        out.push(
            Impact::Additive,
            format!("{name}: parameter family added: {p}"),
        );
    }
    for p in pb.iter().filter(|p| !pa.contains(p)) {
        out.push(
            Impact::Breaking,
            format!("{name}: parameter family removed: {p}"),
        );
    }
    if before.paging != after.paging {
        out.push(Impact::Breaking, format!("{name}: paging changed"));
    }
    if before.kind != after.kind {
        out.push(
            Impact::Breaking,
            format!(
                "{name}: kind {} → {}",
                before.kind.as_str(),
                after.kind.as_str()
            ),
        );
    }
    if before.data != after.data {
        out.push(
            Impact::Breaking,
            format!("{name}: data shape {:?} → {:?}", before.data, after.data),
        );
    }
    if before.description != after.description {
        out.push(Impact::Other, format!("{name}: description"));
    }
    if before.docs != after.docs {
        out.push(Impact::Other, format!("{name}: doc pages"));
    }
    if before.max_page_size != after.max_page_size {
        out.push(
            Impact::Other,
            format!(
                "{name}: page cap {:?} → {:?}",
                before.max_page_size, after.max_page_size
            ),
        );
    }
    if before.returns_incomplete != after.returns_incomplete {
        let what = match &after.returns_incomplete {
            Some(why) => format!("returned fields marked incomplete ({why})"),
            None => "returned fields no longer marked incomplete".to_owned(),
        };
        out.push(Impact::Other, format!("{name}: {what}"));
    }
}

fn param_changes(out: &mut Changes, name: &str, q: &Param, p: &Param) {
    let (old_ty, new_ty) = (
        type_text(&q.ty, q.id_entity()),
        type_text(&p.ty, p.id_entity()),
    );
    if old_ty != new_ty {
        out.push(
            Impact::Breaking,
            format!("{name}: parameter {}: type {old_ty} → {new_ty}", p.name),
        );
    }
    if q.required != p.required {
        let word = |r: bool| if r { "required" } else { "optional" };
        out.push(
            Impact::Breaking,
            format!(
                "{name}: parameter {}: {} → {}",
                p.name,
                word(q.required),
                word(p.required)
            ),
        );
    }
    for v in p.versions.iter().filter(|v| !q.versions.contains(v)) {
        out.push(
            Impact::Additive,
            format!("{name}: parameter {}: now in {}", p.name, v.as_str()),
        );
    }
    for v in q.versions.iter().filter(|v| !p.versions.contains(v)) {
        out.push(
            Impact::Breaking,
            format!("{name}: parameter {}: removed from {}", p.name, v.as_str()),
        );
    }
    if q.description != p.description {
        out.push(
            Impact::Other,
            format!("{name}: parameter {}: description", p.name),
        );
    }
    if q.sensitive != p.sensitive {
        let what = if p.sensitive { "now" } else { "no longer" };
        out.push(
            Impact::Other,
            format!("{name}: parameter {}: {what} marked sensitive", p.name),
        );
    }
}

/// The report as printed: a heading line per non-empty group, then one change per line.
pub fn grouped(changes: &[Change]) -> String {
    let mut text = String::new();
    for impact in [Impact::Breaking, Impact::Additive, Impact::Other] {
        let lines: Vec<&Change> = changes.iter().filter(|c| c.impact == impact).collect();
        if lines.is_empty() {
            continue;
        }
        text.push_str(impact.heading());
        text.push('\n');
        for c in lines {
            text.push_str("  ");
            text.push_str(&c.line);
            text.push('\n');
        }
    }
    text
}

/// The strongest impact among `changes`, if any.
pub fn overall(changes: &[Change]) -> Option<Impact> {
    changes.iter().map(|c| c.impact).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn method(patch: serde_json::Value) -> Method {
        let mut base = json!({
            "name": "getThing", "versions": ["v1", "v2"], "kind": "read",
            "description": "Reads a thing.", "data": "object",
            "params": [
                {"name": "ThingID", "type": "id", "required": true, "versions": ["v1", "v2"], "description": "The thing."},
                {"name": "Colour", "type": "string", "required": false, "versions": ["v1", "v2"], "description": "A colour."},
                {"name": "Old", "type": "string", "required": false, "versions": ["v1", "v2"], "description": ""}
            ],
            "paging": null, "max_page_size": null,
            "returns": [
                {"name": "ThingID", "type": "id"},
                {"name": "Size", "type": "integer"},
                {"name": "Gone", "type": "string"}
            ],
            "enums": {}, "docs": ["a.html"]
        });
        for (k, v) in patch.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    fn map(ms: Vec<Method>) -> BTreeMap<String, Method> {
        ms.into_iter().map(|m| (m.name.clone(), m)).collect()
    }

    #[test]
    fn every_kind_of_change_is_classified() {
        let before = map(vec![
            method(json!({})),
            method(json!({"name": "getRemoved"})),
        ]);
        let after = map(vec![
            method(json!({
                "versions": ["v1"],
                "description": "Reads one thing.",
                "params": [
                    {"name": "ThingID", "type": "id", "entity": "operator", "required": true, "versions": ["v1"], "description": "The thing."},
                    {"name": "Colour", "type": "string", "required": true, "versions": ["v1"], "description": "A colour."},
                    {"name": "Shade", "type": "string", "required": false, "versions": ["v1"], "description": ""}
                ],
                "returns": [
                    {"name": "ThingID", "type": "id"},
                    {"name": "Size", "type": "number"},
                    {"name": "Weight", "type": "integer"}
                ],
                "returns_incomplete": "cut off"
            })),
            method(json!({"name": "getNew"})),
        ]);
        let changes = changes(&before, &after);
        let of = |impact| -> Vec<&str> {
            changes
                .iter()
                .filter(|c| c.impact == impact)
                .map(|c| c.line.as_str())
                .collect()
        };
        assert_eq!(
            of(Impact::Breaking),
            [
                "getRemoved: method removed",
                "getThing: version v2 removed",
                "getThing: parameter ThingID: type id(thing) → id(operator)",
                "getThing: parameter ThingID: removed from v2",
                "getThing: parameter Colour: optional → required",
                "getThing: parameter Colour: removed from v2",
                "getThing: parameter removed: Old",
                "getThing: field Size: type integer → number",
                "getThing: field removed: Gone",
            ]
        );
        assert_eq!(
            of(Impact::Additive),
            [
                "getNew: method added (v1+v2)",
                "getThing: parameter added: Shade (string, optional, v1)",
                "getThing: field added: Weight (integer)",
            ]
        );
        assert_eq!(
            of(Impact::Other),
            [
                "getThing: description",
                "getThing: returned fields marked incomplete (cut off)",
            ]
        );
        assert_eq!(overall(&changes), Some(Impact::Breaking));
        let text = grouped(&changes);
        assert!(text.starts_with("Breaking\n  getRemoved: method removed\n"));
        assert!(text.contains("\nAdditive\n  getNew: method added (v1+v2)\n"));
        assert!(text.contains("\nOther\n  getThing: description\n"));
    }

    #[test]
    fn a_new_required_parameter_is_breaking_and_docs_only_is_other() {
        let before = map(vec![method(json!({}))]);
        let mut m = method(json!({"docs": ["b.html"]}));
        m.params.push(bold360_api_spec::Param {
            name: "Must".into(),
            ty: TypeRef::String,
            entity: None,
            required: true,
            sensitive: false,
            versions: vec![Version::V1],
            description: String::new(),
        });
        let c = changes(&before, &map(vec![m]));
        assert_eq!(c[0].impact, Impact::Breaking);
        assert_eq!(
            c[0].line,
            "getThing: required parameter added: Must (string, v1)"
        );
        assert_eq!(
            c[1],
            Change {
                impact: Impact::Other,
                line: "getThing: doc pages".into()
            }
        );
        assert_eq!(overall(&changes(&before, &before)), None);
    }
}
