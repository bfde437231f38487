//! The change report: what a regeneration adds, removes or changes, method by method.

use std::collections::BTreeMap;

use bold360_api_spec::{Method, Param};

fn versions(p: &Param) -> String {
    p.versions
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// Lines describing how `new` differs from `old` (both keyed by method name).
pub fn changes(old: &BTreeMap<String, Method>, new: &BTreeMap<String, Method>) -> Vec<String> {
    let mut lines = Vec::new();
    for name in new.keys().filter(|n| !old.contains_key(*n)) {
        lines.push(format!("method added: {name}"));
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        lines.push(format!("method removed: {name}"));
    }
    for (name, after) in new {
        let Some(before) = old.get(name) else {
            continue;
        };
        for p in &after.params {
            match before.param(&p.name) {
                None => lines.push(format!(
                    "{name}: parameter added: {} ({}, {}, {})",
                    p.name,
                    p.ty,
                    if p.required { "required" } else { "optional" },
                    versions(p)
                )),
                Some(q) => {
                    if q.ty != p.ty {
                        lines.push(format!(
                            "{name}: parameter {}: type {} → {}",
                            p.name, q.ty, p.ty
                        ));
                    }
                    if q.required != p.required {
                        let word = |r: bool| if r { "required" } else { "optional" };
                        lines.push(format!(
                            "{name}: parameter {}: {} → {}",
                            p.name,
                            word(q.required),
                            word(p.required)
                        ));
                    }
                    if q.versions != p.versions {
                        lines.push(format!(
                            "{name}: parameter {}: versions {} → {}",
                            p.name,
                            versions(q),
                            versions(p)
                        ));
                    }
                }
            }
        }
        for q in &before.params {
            if after.param(&q.name).is_none() {
                lines.push(format!("{name}: parameter removed: {}", q.name));
            }
        }
        if before.versions != after.versions {
            lines.push(format!(
                "{name}: versions {:?} → {:?}",
                before.versions, after.versions
            ));
        }
        let fields = |m: &Method| {
            m.returns
                .iter()
                .map(|f| (f.name.clone(), f.ty.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let (fb, fa) = (fields(before), fields(after));
        for (f, ty) in &fa {
            match fb.get(f) {
                None => lines.push(format!("{name}: field added: {f} ({ty})")),
                Some(old_ty) if old_ty != ty => {
                    lines.push(format!("{name}: field {f}: type {old_ty} → {ty}"))
                }
                _ => {}
            }
        }
        for f in fb.keys().filter(|f| !fa.contains_key(*f)) {
            lines.push(format!("{name}: field removed: {f}"));
        }
        if before.paging != after.paging {
            lines.push(format!("{name}: paging changed"));
        }
        if before.kind != after.kind || before.data != after.data {
            lines.push(format!("{name}: kind or data shape changed"));
        }
    }
    lines
}
