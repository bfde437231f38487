//! The tap's configuration: a JSON file (`--config`), each setting falling back to its
//! `BOLD360_*` variable. Credentials, region, endpoint, version and the shared limiter are read
//! by the SDK's own rules (`ClientBuilder::from_lookup`); the tap adds the dates.

use std::collections::BTreeMap;
use std::path::Path;

use bold360_sdk::chrono::{DateTime, Duration, Utc};
use bold360_sdk::{Client, ClientBuilder, Error};
use serde_json::Value;

use crate::fail::Failure;

/// Config key → the environment variable it stands for.
pub const SETTINGS: [(&str, &str, &str); 7] = [
    (
        "account_id",
        bold360_sdk::env::ACCOUNT_ID,
        "the account ID (digits)",
    ),
    (
        "api_setting_id",
        bold360_sdk::env::API_SETTING_ID,
        "the API setting ID (digits)",
    ),
    (
        "api_key",
        bold360_sdk::env::API_KEY,
        "the API setting's key (secret)",
    ),
    (
        "region",
        bold360_sdk::env::REGION,
        "`us` (default) or `emea`",
    ),
    (
        "endpoint",
        bold360_sdk::env::ENDPOINT,
        "a base URL that overrides the region",
    ),
    (
        "api_version",
        bold360_sdk::env::API_VERSION,
        "`v1` (default) or `v2`",
    ),
    (
        "limiter_url",
        bold360_sdk::env::LIMITER_URL,
        "a Redis URL: one account budget shared with every process using it",
    ),
];

/// The tap's own settings: (key, meaning).
pub const DATES: [(&str, &str); 3] = [
    ("start_date", "RFC 3339 date-time: where incremental streams start when no bookmark exists (required)"),
    ("end_date", "RFC 3339 date-time: where incremental streams stop (default: the time the run starts)"),
    ("date_window_days", "the size of each date window, in days (default 7; fractions allowed, e.g. 0.25 for 6 hours): every window costs at least one request per stream and parent"),
];

/// A validated configuration.
pub struct TapConfig {
    /// The client, built by the SDK's rules from the settings.
    pub client: Client,
    /// Where incremental streams start without a bookmark.
    pub start_date: DateTime<Utc>,
    /// Where they stop.
    pub end_date: DateTime<Utc>,
    /// The size of one window.
    pub window: Duration,
}

fn bad(key: &str, reason: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("config: {key:?} {reason}"))
}

/// Reads the file (if any), falls back to the environment, and builds the client.
pub fn load(
    file: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<TapConfig, Failure> {
    let values: BTreeMap<String, Value> = match file {
        None => BTreeMap::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!("config: cannot read {}: {e}", path.display()))
            })?;
            let value: Value = serde_json::from_str(&text).map_err(|e| {
                Failure::usage(format!("config: {} is not JSON: {e}", path.display()))
            })?;
            match value {
                Value::Object(map) => map.into_iter().collect(),
                _ => {
                    return Err(Failure::usage(format!(
                        "config: {} must hold a JSON object",
                        path.display()
                    )))
                }
            }
        }
    };
    let known: Vec<&str> = SETTINGS
        .iter()
        .map(|s| s.0)
        .chain(DATES.iter().map(|d| d.0))
        .collect();
    if let Some(unknown) = values.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(bad(
            unknown,
            format!(
                "is not a setting of tap-bold360 (settings: {})",
                known.join(", ")
            ),
        ));
    }
    let text = |key: &str| -> Result<Option<String>, Failure> {
        match values.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if key.ends_with("_id") => Ok(Some(n.to_string())),
            Some(_) => Err(bad(key, "must be a string")),
        }
    };
    let mut lookup = BTreeMap::new();
    for (key, var, _) in SETTINGS {
        if let Some(value) = text(key)?.or_else(|| env(var)) {
            lookup.insert(var, value);
        }
    }
    let client = ClientBuilder::from_lookup(|name| lookup.get(name).cloned())
        .and_then(ClientBuilder::build)
        .map_err(|e| match e {
            Error::Config { setting, reason } => {
                let key = SETTINGS
                    .iter()
                    .find(|s| s.1 == setting)
                    .map_or(setting.as_str(), |s| s.0);
                bad(key, format!("(or {setting}) {reason}"))
            }
            other => Failure::from(other),
        })?;
    let date = |key: &str| -> Result<Option<DateTime<Utc>>, Failure> {
        text(key)?
            .map(|t| {
                DateTime::parse_from_rfc3339(t.trim())
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| bad(key, format!("is not an RFC 3339 date-time: {t:?} (e.g. \"2024-01-01T00:00:00Z\")")))
            })
            .transpose()
    };
    let start_date = date("start_date")?.ok_or_else(|| {
        bad(
            "start_date",
            "is required: an RFC 3339 date-time, e.g. \"2024-01-01T00:00:00Z\"",
        )
    })?;
    let end_date = date("end_date")?.unwrap_or_else(|| {
        let now = Utc::now();
        now - Duration::nanoseconds(i64::from(bold360_sdk::chrono::Timelike::nanosecond(&now)))
    });
    if end_date <= start_date {
        return Err(bad("end_date", "must be after start_date"));
    }
    let days = match values.get("date_window_days") {
        None | Some(Value::Null) => 7.0,
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0.0),
        Some(_) => 0.0,
    };
    let seconds = days * 86_400.0;
    if !(seconds.is_finite() && (1.0..=366.0 * 86_400.0).contains(&seconds)) {
        return Err(bad(
            "date_window_days",
            "must be a number of days from 1 second to 366, e.g. 1 or 0.25",
        ));
    }
    Ok(TapConfig {
        client,
        start_date,
        end_date,
        window: Duration::milliseconds((seconds * 1000.0) as i64),
    })
}
