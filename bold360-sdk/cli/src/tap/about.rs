//! `--about`: what the tap is, its settings and its streams, as JSON or Markdown.

use serde_json::{json, Value};

use super::config::{DATES, SETTINGS};
use super::streams::{NotAStream, Replication, StreamPlan};

fn settings() -> Vec<Value> {
    SETTINGS
        .iter()
        .map(|(key, env, what)| {
            json!({
                "name": key,
                "description": what,
                "env": env,
                "required": matches!(*key, "account_id" | "api_setting_id" | "api_key"),
                "sensitive": *key == "api_key",
            })
        })
        .chain(DATES.iter().map(|(key, what)| {
            json!({ "name": key, "description": what, "required": *key == "start_date", "sensitive": false })
        }))
        .collect()
}

/// The JSON form.
pub fn json(plans: &[StreamPlan], not: &[NotAStream]) -> String {
    let about = json!({
        "name": "tap-bold360",
        "description": "Singer tap for Bold360 (BoldChat): every documented read method as a stream, through the bold360-rs SDK",
        "version": env!("CARGO_PKG_VERSION"),
        "capabilities": ["catalog", "discover", "state", "about"],
        "settings": settings(),
        "streams": plans.iter().map(|p| json!({
            "tap_stream_id": p.name,
            "replication_method": match p.replication { Replication::FullTable => "FULL_TABLE", Replication::Incremental { .. } => "INCREMENTAL" },
            "key_properties": p.key,
            "parent": p.parent(),
            "api_version": p.version,
        })).collect::<Vec<_>>(),
        "not_streams": not.iter().map(|n| json!({ "method": n.method, "reason": n.reason })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&about).unwrap_or_default()
}

/// The Markdown form.
pub fn markdown(plans: &[StreamPlan], not: &[NotAStream]) -> String {
    let mut out = format!(
        "# tap-bold360 {}\n\nSinger tap for Bold360 (BoldChat): every documented read method as a stream.\n\nCapabilities: catalog, discover, state, about.\n\n## Settings\n\n| setting | environment variable | required | meaning |\n| --- | --- | --- | --- |\n",
        env!("CARGO_PKG_VERSION")
    );
    for s in settings() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            s["name"].as_str().unwrap_or_default(),
            s["env"]
                .as_str()
                .map(|e| format!("`{e}`"))
                .unwrap_or_default(),
            if s["required"] == true { "yes" } else { "no" },
            s["description"].as_str().unwrap_or_default()
        ));
    }
    out.push_str(
        "\n## Streams\n\n| stream | replication | key | parent |\n| --- | --- | --- | --- |\n",
    );
    for p in plans {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            p.name,
            match p.replication {
                Replication::FullTable => "FULL_TABLE",
                Replication::Incremental { .. } => "INCREMENTAL",
            },
            p.key.join(", "),
            p.parent().unwrap_or("")
        ));
    }
    out.push_str("\n## Read methods that are not streams\n\n");
    for n in not {
        out.push_str(&format!("- `{}`: {}\n", n.method, n.reason));
    }
    out
}
