//! `api-spec/overrides.json`: the one reviewed place where vendor mistakes are corrected.
//! Every entry says why; every entry must match something and change something (a stale entry
//! is reported and fails the run); every applied entry is listed in the report. The
//! `conflicts` list settles fields that different pages type differently (see
//! [`super::conflicts`]).

use std::collections::BTreeMap;

use bold360_api_spec::{
    Constraint, DataShape, DynamicParam, EnumValues, Field, Kind, Method, Paging, Param, TypeRef,
    Version,
};
use serde::Deserialize;

/// The file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// What the file is; not read.
    #[serde(default)]
    pub about: String,
    /// The corrections, applied in order.
    pub overrides: Vec<Override>,
    /// Cross-page type differences reviewed and kept on purpose.
    #[serde(default)]
    pub conflicts: Vec<ConflictNote>,
}

/// A reviewed cross-page conflict: the same field name with different types on different
/// pages, kept as each page gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictNote {
    /// The field or parameter name.
    pub name: String,
    /// Why the difference is kept (and what happens to a value of the other shape).
    pub why: String,
}

/// One correction of one method, optionally of one parameter (`param`) or returned field
/// (`field`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub method: String,
    #[serde(default)]
    pub param: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub rename: Option<String>,
    #[serde(default, rename = "type")]
    pub ty: Option<TypeRef>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub versions: Option<Vec<Version>>,
    #[serde(default)]
    pub enum_values: Option<EnumValues>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub constraint: Option<Constraint>,
    #[serde(default)]
    pub paging: Option<Paging>,
    #[serde(default)]
    pub kind: Option<Kind>,
    #[serde(default)]
    pub data: Option<DataShape>,
    /// The entity an `id` parameter or field identifies.
    #[serde(default)]
    pub entity: Option<String>,
    /// Marks a parameter as a secret (or not).
    #[serde(default)]
    pub sensitive: Option<bool>,
    /// Marks the method's return table as incomplete, saying why.
    #[serde(default)]
    pub returns_incomplete: Option<String>,
    /// Returned fields the page's table leaves out (it is cut off), each seen in the source
    /// `why` cites. A field the table already has is an error: correct it with `field`.
    #[serde(default)]
    pub add_fields: Vec<Field>,
    /// Parameters the page names only in prose (e.g. a list of writable fields), made
    /// parameters of their own. A parameter the table already has is an error.
    #[serde(default)]
    pub add_params: Vec<Param>,
    /// Replaces the method's families of parameters (`CustomFields.<name>`).
    #[serde(default)]
    pub dynamic_params: Option<Vec<DynamicParam>>,
    pub why: String,
}

impl Overrides {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("overrides.json: {e}"))
    }
}

/// What applying the file did.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// A report line per applied entry.
    pub applied: Vec<String>,
    /// Entries that matched nothing or changed nothing.
    pub stale: Vec<String>,
    /// `(method, field or param)` pairs whose type or entity an entry set: reviewed decisions.
    pub retyped: Vec<(String, String)>,
}

/// Applies every override. An entry that matches nothing, or leaves the method exactly as
/// the docs already give it, is stale.
pub fn apply(methods: &mut [Method], overrides: &Overrides) -> Applied {
    let mut out = Applied::default();
    for (i, o) in overrides.overrides.iter().enumerate() {
        let Some(method) = methods.iter_mut().find(|m| m.name == o.method) else {
            out.stale.push(format!(
                "overrides.json: entry {i}: no method {:?}",
                o.method
            ));
            continue;
        };
        let before = method.clone();
        match apply_one(method, o) {
            Ok(_) if *method == before => out.stale.push(format!(
                "overrides.json: entry {i} ({}): stale: it changes nothing, the docs already say this",
                o.method
            )),
            Ok(what) => {
                out.applied
                    .push(format!("{}: {what} — {}", o.method, o.why));
                if o.ty.is_some() || o.entity.is_some() {
                    let target = o.param.clone().or_else(|| o.field.clone());
                    let target = o.rename.clone().or(target);
                    if let Some(target) = target {
                        out.retyped.push((o.method.clone(), target));
                    }
                }
            }
            Err(e) => out
                .stale
                .push(format!("overrides.json: entry {i} ({}): {e}", o.method)),
        }
    }
    out
}

/// Changes the type of a parameter or field. An enum type brings its values; when a value
/// stops being an enum, the values move into its description.
fn retype(
    enums: &mut BTreeMap<String, EnumValues>,
    ty: &mut TypeRef,
    description: &mut String,
    new: &TypeRef,
    values: &Option<EnumValues>,
) -> String {
    if let (TypeRef::Enum(name), Some(values)) = (new, values) {
        enums.insert(name.clone(), values.clone());
    }
    if let (TypeRef::Enum(name), false) = (&*ty, matches!(new, TypeRef::Enum(_))) {
        if let Some(values) = enums.get(name) {
            let list: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let sep = if description.is_empty() { "" } else { " " };
            *description = format!("{description}{sep}Values: {}.", list.join(", "));
        }
    }
    let old = std::mem::replace(ty, new.clone());
    format!("type {old} → {new}")
}

fn apply_one(method: &mut Method, o: &Override) -> Result<String, String> {
    let mut did = Vec::new();
    if let Some(name) = &o.param {
        let at = method
            .params
            .iter()
            .position(|p| p.name == *name)
            .ok_or_else(|| format!("no parameter {name:?}"))?;
        let Method { enums, params, .. } = &mut *method;
        let param = &mut params[at];
        if let Some(ty) = &o.ty {
            let change = retype(
                enums,
                &mut param.ty,
                &mut param.description,
                ty,
                &o.enum_values,
            );
            did.push(format!("param {name} {change}"));
        }
        if let Some(required) = o.required {
            param.required = required;
            did.push(format!("param {name} required = {required}"));
        }
        if let Some(versions) = &o.versions {
            param.versions = versions.clone();
            did.push(format!("param {name} versions = {versions:?}"));
        }
        if let Some(entity) = &o.entity {
            param.entity = Some(entity.clone());
            did.push(format!("param {name} entity = {entity}"));
        }
        if let Some(sensitive) = o.sensitive {
            param.sensitive = sensitive;
            did.push(format!("param {name} sensitive = {sensitive}"));
        }
        if let Some(new) = &o.rename {
            param.name = new.clone();
            did.push(format!("param {name:?} renamed to {new:?}"));
        }
    } else if let Some(name) = &o.field {
        let at = method
            .returns
            .iter()
            .position(|f| f.name == *name)
            .ok_or_else(|| format!("no returned field {name:?}"))?;
        let Method { enums, returns, .. } = &mut *method;
        let field = &mut returns[at];
        if let Some(ty) = &o.ty {
            let change = retype(
                enums,
                &mut field.ty,
                &mut field.description,
                ty,
                &o.enum_values,
            );
            did.push(format!("field {name} {change}"));
        }
        if let Some(entity) = &o.entity {
            field.entity = Some(entity.clone());
            did.push(format!("field {name} entity = {entity}"));
        }
        if let Some(new) = &o.rename {
            field.name = new.clone();
            did.push(format!("field {name:?} renamed to {new:?}"));
        }
    }
    if let Some(alias) = &o.alias {
        if !method.aliases.contains(alias) {
            method.aliases.push(alias.clone());
            method.aliases.sort();
        }
        did.push(format!("alias {alias}"));
    }
    if let Some(constraint) = &o.constraint {
        if !method.constraints.contains(constraint) {
            method.constraints.push(constraint.clone());
        }
        did.push(format!("constraint {constraint:?}"));
    }
    if let Some(paging) = &o.paging {
        method.paging = Some(paging.clone());
        did.push("paging replaced".to_owned());
    }
    if let Some(kind) = o.kind {
        method.kind = kind;
        did.push(format!("kind {kind:?}"));
    }
    if let Some(data) = o.data {
        method.data = data;
        did.push(format!("data {data:?}"));
    }
    if let Some(why) = &o.returns_incomplete {
        method.returns_incomplete = Some(why.clone());
        did.push("returns marked incomplete".to_owned());
    }
    if !o.add_fields.is_empty() {
        for field in &o.add_fields {
            if method.returns.iter().any(|f| f.name == field.name) {
                return Err(format!(
                    "field {:?} is already documented; correct it with \"field\" instead",
                    field.name
                ));
            }
            if let TypeRef::Enum(name) = &field.ty {
                if !method.enums.contains_key(name) {
                    let values = o.enum_values.clone().ok_or_else(|| {
                        format!("field {:?} is enum:{name}, which the method does not define: give its enum_values", field.name)
                    })?;
                    method.enums.insert(name.clone(), values);
                }
            }
            insert_sorted(&mut method.returns, field.clone(), |f| &f.name);
        }
        let names: Vec<&str> = o.add_fields.iter().map(|f| f.name.as_str()).collect();
        did.push(format!("fields added: {}", names.join(", ")));
    }
    if !o.add_params.is_empty() {
        for param in &o.add_params {
            if method.params.iter().any(|p| p.name == param.name) {
                return Err(format!(
                    "parameter {:?} is already documented; correct it with \"param\" instead",
                    param.name
                ));
            }
            method.params.push(param.clone());
        }
        let names: Vec<&str> = o.add_params.iter().map(|p| p.name.as_str()).collect();
        did.push(format!("parameters added: {}", names.join(", ")));
    }
    if let Some(dynamic) = &o.dynamic_params {
        method.dynamic_params = dynamic.clone();
        let patterns: Vec<&str> = dynamic.iter().map(|d| d.pattern.as_str()).collect();
        did.push(format!("parameter families: {}", patterns.join(", ")));
    }
    if did.is_empty() {
        return Err("the entry changes nothing".to_owned());
    }
    Ok(did.join(", "))
}

/// Inserts `item` before the first item whose name sorts after its own (case-insensitively,
/// as the vendor's tables are ordered), or at the end.
fn insert_sorted<T>(items: &mut Vec<T>, item: T, name: impl Fn(&T) -> &String) {
    let key = name(&item).to_ascii_lowercase();
    let at = items
        .iter()
        .position(|other| name(other).to_ascii_lowercase() > key)
        .unwrap_or(items.len());
    items.insert(at, item);
}

/// Gives every `id` its entity by the naming rule (keeping one already set) and takes the
/// entity off anything that is not an `id`.
pub fn assign_entities(method: &mut Method) {
    for p in &mut method.params {
        p.entity = p.id_entity();
    }
    for f in &mut method.returns {
        f.entity = f.id_entity();
    }
}

/// Drops enums nothing refers to any more.
pub fn prune_enums(method: &mut Method) {
    let used: Vec<String> = method
        .params
        .iter()
        .map(|p| &p.ty)
        .chain(method.returns.iter().map(|f| &f.ty))
        .filter_map(|t| match t {
            TypeRef::Enum(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    method.enums.retain(|name, _| used.contains(name));
}
