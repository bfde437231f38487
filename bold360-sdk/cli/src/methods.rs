//! `bold360 methods [METHOD]`.

use crate::out::outln;
use bold360_api_spec::model::PagingStyle;
use bold360_api_spec::Method;

use crate::args;
use crate::exit::OK;
use crate::fail::Failure;

fn versions(m: &[bold360_api_spec::Version]) -> String {
    m.iter().map(|v| v.as_str()).collect::<Vec<_>>().join("+")
}

fn paging(m: &Method) -> String {
    let styles: Vec<String> = m
        .versions
        .iter()
        .filter_map(|v| {
            m.paging_for(*v).map(|s| match s {
                PagingStyle::Offset { .. } => format!("{} offset", v.as_str()),
                PagingStyle::Cursor { .. } => format!("{} cursor", v.as_str()),
            })
        })
        .collect();
    if styles.is_empty() {
        "-".into()
    } else {
        styles.join(", ")
    }
}

pub fn run(name: Option<&str>) -> Result<u8, Failure> {
    let manifest = args::manifest()?;
    let Some(name) = name else {
        outln!(
            "{:<28} {:<6} {:<6} {:<22} DESCRIPTION",
            "METHOD",
            "API",
            "KIND",
            "PAGING"
        );
        for m in &manifest.methods {
            outln!(
                "{:<28} {:<6} {:<6} {:<22} {}",
                m.name,
                versions(&m.versions),
                m.kind.as_str(),
                paging(m),
                m.description
            );
        }
        for m in bold360_sdk::methods::UNDOCUMENTED {
            outln!(
                "{:<28} {:<6} {:<6} {:<22} undocumented (no page; public clients call it): {}",
                m.name(),
                "?",
                m.kind().as_str(),
                "?",
                m.hint()
            );
        }
        return Ok(OK);
    };
    if let Some(m) = bold360_sdk::methods::undocumented(name) {
        outln!("{} — undocumented", m.name());
        outln!("{}", bold360_sdk::UndocumentedMethod::NOTE);
        outln!(
            "kind: {} (by name)   what public clients suggest: {}",
            m.kind().as_str(),
            m.hint()
        );
        outln!("call it: bold360 call {} [Param=Value …]", m.name());
        return Ok(OK);
    }
    let m = args::method(&manifest, name)?;
    outln!("{} — {}", m.name, m.description);
    if !m.aliases.is_empty() {
        outln!("also called: {}", m.aliases.join(", "));
    }
    outln!(
        "versions: {}   kind: {}   paging: {}   page cap: {}",
        versions(&m.versions),
        m.kind.as_str(),
        paging(&m),
        m.max_page_size.map_or("-".into(), |c| c.to_string())
    );
    outln!();
    outln!(
        "{:<28} {:<22} {:<9} {:<6} DESCRIPTION",
        "PARAMETER",
        "TYPE",
        "REQUIRED",
        "API"
    );
    for p in &m.params {
        outln!(
            "{:<28} {:<22} {:<9} {:<6} {}",
            p.name,
            p.ty.to_string(),
            if p.required { "yes" } else { "no" },
            versions(&p.versions),
            p.description
        );
    }
    for d in &m.dynamic_params {
        outln!(
            "{:<28} {:<22} {:<9} {:<6} {}",
            d.pattern,
            "string",
            "no",
            versions(&m.versions),
            d.description
        );
    }
    for c in &m.constraints {
        outln!("rule: {c:?}");
    }
    for (name, values) in &m.enums {
        let list: Vec<String> = values.iter().map(|(k, v)| format!("{k}={v}")).collect();
        outln!("enum {name}: {}", list.join(", "));
    }
    if !m.returns.is_empty() {
        let fields: Vec<String> = m
            .returns
            .iter()
            .map(|f| format!("{} ({})", f.name, f.ty))
            .collect();
        outln!("\nreturns: {}", fields.join(", "));
    }
    Ok(OK)
}
