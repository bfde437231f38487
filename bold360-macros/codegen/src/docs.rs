//! Rustdoc text for generated items: what a method does, its parameters, versions, paging,
//! page cap, read/write, the vendor page, and an example.

use bold360_api_spec::model::{PagingStyle, StartUnit};
use bold360_api_spec::{Kind, Method, Param, TypeRef, Version};

use super::context::Ctx;
use super::{enums, names};

fn versions_text(versions: &[Version]) -> String {
    versions
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn paging_text(style: &PagingStyle) -> String {
    match style {
        PagingStyle::Offset {
            start_param,
            size_param,
            start_unit,
        } => {
            let unit = match start_unit {
                StartUnit::Records => "records to skip",
                StartUnit::Pages => "pages to skip",
            };
            format!("offset: `{start_param}` ({unit}) and `{size_param}`; send back the response's `Next` object")
        }
        PagingStyle::Cursor {
            cursor_param,
            size_param,
            page_param,
        } => {
            let mut text =
                format!("cursor: send back the response's `NextPage` as `{cursor_param}`");
            if let Some(size) = size_param {
                text.push_str(&format!("; page size `{size}`"));
            }
            if let Some(page) = page_param {
                text.push_str(&format!("; `{page}` counts pages"));
            }
            text
        }
    }
}

/// The lines of a method's documentation.
pub fn method(m: &Method, ctx: &Ctx, version: Option<Version>) -> Vec<String> {
    let mut lines = vec![format!("`{}`: {}", m.name, m.description), String::new()];
    let shown: Vec<Version> = match version {
        Some(v) => vec![v],
        None => m.versions.clone(),
    };
    let params: Vec<&Param> = m
        .params
        .iter()
        .filter(|p| p.versions.iter().any(|v| shown.contains(v)))
        .collect();
    if params.is_empty() {
        lines.push("Takes no parameters.".to_owned());
    } else {
        lines.push("| Parameter | Rust | Type | Required | Versions | Meaning |".to_owned());
        lines.push("| --- | --- | --- | --- | --- | --- |".to_owned());
        for p in params {
            let required = if p.required { "argument" } else { "setter" };
            lines.push(format!(
                "| `{}` | `{}` | {} | {} | {} | {} |",
                p.name,
                names::param_ident(&p.name),
                type_text(&p.ty, p.id_entity().as_deref(), ctx),
                required,
                versions_text(&p.versions),
                p.description.replace('|', "\\|")
            ));
        }
    }
    for c in &m.constraints {
        lines.push(String::new());
        lines.push(match c {
            bold360_api_spec::Constraint::ExactlyOneOf(names) => format!(
                "Exactly one of {} must be set (checked before sending).",
                quoted(names)
            ),
            bold360_api_spec::Constraint::AllOrNone(names) => format!(
                "{} must be set together or not at all (checked before sending).",
                quoted(names)
            ),
        });
    }
    for d in &m.dynamic_params {
        lines.push(String::new());
        let setter = match d.prefix() {
            Some(prefix) => format!("`.{}(name, value)`", super::names::family_setter(prefix)),
            None => "`.param(name, value)`".to_owned(),
        };
        lines.push(format!(
            "Also accepts `{}` parameters through {setter}: {}",
            d.pattern, d.description
        ));
    }
    lines.push(String::new());
    lines.push(format!("- **Versions:** {}", versions_text(&m.versions)));
    lines.push(format!(
        "- **Kind:** {}",
        match m.kind {
            Kind::Read => "read (transient failures are retried)",
            Kind::Write => "write (only refusals are retried)",
        }
    ));
    for v in &m.versions {
        if let Some(style) = m.paging_for(*v) {
            lines.push(format!(
                "- **Paging ({}):** {}",
                v.as_str(),
                paging_text(style)
            ));
        }
    }
    if let Some(cap) = m.max_page_size {
        lines.push(format!("- **Page cap:** {cap} records"));
    }
    for doc in &m.docs {
        lines.push(format!("- **Vendor page:** `{doc}`"));
    }
    if let Some(example) = example(m, ctx, version) {
        lines.push(String::new());
        lines.push("# Example".to_owned());
        lines.push("```no_run".to_owned());
        lines.push(
            "# async fn example(client: bold360_sdk::Client) -> Result<(), bold360_sdk::Error> {"
                .to_owned(),
        );
        lines.push(example);
        lines.push("# let _ = response;".to_owned());
        lines.push("# Ok(()) }".to_owned());
        lines.push("```".to_owned());
    }
    lines
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a type reads in docs.
pub fn type_text(ty: &TypeRef, entity: Option<&str>, ctx: &Ctx) -> String {
    match ty {
        TypeRef::Id => format!("ID ([`{0}`](super::ids::{0}))", ctx.id_type(entity)),
        TypeRef::Enum(e) => format!("enum [`{}`]", names::pascal(e)),
        TypeRef::Datetime => "time (ISO-8601 UTC)".to_owned(),
        other => other.to_string(),
    }
}

/// A call with example arguments, when the path to generated items is known.
fn example(m: &Method, ctx: &Ctx, version: Option<Version>) -> Option<String> {
    let root = ctx.doc_root.as_ref()?;
    let v = version.unwrap_or(m.versions[0]);
    let module = names::snake(&m.name);
    let args: Vec<String> = m
        .params
        .iter()
        .filter(|p| p.required && p.versions.contains(&v))
        .map(|p| match &p.ty {
            TypeRef::Id => "9007199254740993u64".to_owned(),
            TypeRef::Integer | TypeRef::Count => "1".to_owned(),
            TypeRef::Number => "1.0".to_owned(),
            TypeRef::Boolean => "true".to_owned(),
            TypeRef::String => "\"text\"".to_owned(),
            TypeRef::Datetime => "chrono::Utc::now()".to_owned(),
            TypeRef::Json => "serde_json::json!([])".to_owned(),
            TypeRef::Enum(e) => {
                let first = m
                    .enums
                    .get(e)
                    .map(enums::variant_names)
                    .and_then(|v| v.into_iter().next())
                    .unwrap_or_default();
                format!(
                    "{root}::{module}::{}::{}",
                    names::pascal(e),
                    names::ident(&first)
                )
            }
        })
        .collect();
    Some(format!(
        "let response = client.{}().{}({}).send().await?;",
        v.as_str(),
        module,
        args.join(", ")
    ))
}

/// The documentation of a setter.
pub fn setter(p: &Param, ctx: &Ctx) -> String {
    format!(
        "Sets `{}` ({}, optional; {}). {}",
        p.name,
        type_text(&p.ty, p.id_entity().as_deref(), ctx),
        versions_text(&p.versions),
        p.description
    )
}
