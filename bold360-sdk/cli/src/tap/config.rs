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
    ("date_window_days", "the size of the first date window and the largest, in days (default: 7 for the first, growing up to 366 where the data is sparse; fractions allowed, e.g. 0.25 for 6 hours): windows shrink where the data is dense, and every window costs at least one request per stream and parent"),
];

/// A validated configuration.
pub struct TapConfig {
    /// The client, built by the SDK's rules from the settings.
    pub client: Client,
    /// Where incremental streams start without a bookmark.
    pub start_date: DateTime<Utc>,
    /// Where they stop.
    pub end_date: DateTime<Utc>,
    /// The size of the first window (then adapted to the data: see `tap::sync`).
    pub window: Duration,
    /// The largest window: the configured size when `date_window_days` is set, else 366 days.
    pub max_window: Duration,
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
    let configured = !matches!(values.get("date_window_days"), None | Some(Value::Null));
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
    let window = Duration::milliseconds((seconds * 1000.0) as i64);
    Ok(TapConfig {
        client,
        start_date,
        end_date,
        window,
        max_window: if configured {
            window
        } else {
            Duration::days(366)
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Writes `config` to a file of its own and loads it with no environment.
    fn load_json(config: Value) -> Result<TapConfig, Failure> {
        load_text(&config.to_string())
    }

    fn load_text(text: &str) -> Result<TapConfig, Failure> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "bold360-tap-config-{}-{}.json",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, text).unwrap();
        let loaded = load(Some(&path), |_| None);
        let _ = std::fs::remove_file(&path);
        loaded
    }

    fn base() -> Value {
        json!({
            "account_id": "123",
            "api_setting_id": "456",
            "api_key": "key-abc",
            "endpoint": "http://127.0.0.1:9",
            "start_date": "2024-01-01T00:00:00Z",
            "end_date": "2024-01-08T00:00:00Z",
        })
    }

    fn with(key: &str, value: Value) -> Value {
        let mut config = base();
        config[key] = value;
        config
    }

    fn refusal(config: Value) -> String {
        match load_json(config) {
            Ok(_) => panic!("the config was accepted"),
            Err(failure) => failure.message,
        }
    }

    #[test]
    fn a_full_config_gives_its_dates_and_a_seven_day_window() {
        let config = load_json(base()).unwrap();
        assert_eq!(config.start_date.to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert_eq!(config.end_date.to_rfc3339(), "2024-01-08T00:00:00+00:00");
        assert_eq!(config.window, Duration::days(7));
        // IDs may be JSON numbers; other settings may not.
        assert!(load_json(with("account_id", json!(123))).is_ok());
        let message = refusal(with("api_key", json!(123)));
        assert!(
            message.contains("\"api_key\" must be a string"),
            "{message}"
        );
        assert!(!message.contains("123"), "{message}");
    }

    #[test]
    fn settings_fall_back_to_the_environment_by_the_sdk_rules() {
        let mut config = base();
        config.as_object_mut().unwrap().remove("api_key");
        let path =
            std::env::temp_dir().join(format!("bold360-tap-env-{}.json", std::process::id()));
        std::fs::write(&path, config.to_string()).unwrap();
        let env = |name: &str| (name == bold360_sdk::env::API_KEY).then(|| "from-env".to_owned());
        assert!(load(Some(&path), env).is_ok());
        let message = match load(Some(&path), |_| None) {
            Ok(_) => panic!("a missing key was accepted"),
            Err(failure) => failure.message,
        };
        let _ = std::fs::remove_file(&path);
        assert!(
            message.starts_with("config: \"api_key\" (or BOLD360_API_KEY)"),
            "names the key and its variable: {message}"
        );
    }

    #[test]
    fn the_end_date_defaults_to_now_in_whole_seconds_and_must_follow_the_start() {
        let mut config = base();
        config.as_object_mut().unwrap().remove("end_date");
        let before = Utc::now();
        let loaded = load_json(config).unwrap();
        let after = Utc::now();
        assert_eq!(
            bold360_sdk::chrono::Timelike::nanosecond(&loaded.end_date),
            0
        );
        assert!(loaded.end_date <= after && loaded.end_date > before - Duration::seconds(1));
        for end in ["2024-01-01T00:00:00Z", "2023-12-31T00:00:00Z"] {
            let message = refusal(with("end_date", json!(end)));
            assert!(message.contains("must be after start_date"), "{message}");
        }
        assert!(load_json(with("end_date", json!("2024-01-01T00:00:01Z"))).is_ok());
        let message = refusal(with("start_date", json!("yesterday")));
        assert!(
            message.contains("\"start_date\" is not an RFC 3339"),
            "{message}"
        );
        let mut none = base();
        none.as_object_mut().unwrap().remove("start_date");
        assert!(refusal(none).contains("\"start_date\" is required"));
    }

    #[test]
    fn windows_are_days_with_fractions_within_one_second_and_366_days() {
        for (days, window) in [
            (json!(1), Duration::days(1)),
            (json!(0.25), Duration::hours(6)),
            (json!("0.5"), Duration::hours(12)),
            (json!(366), Duration::days(366)),
            (json!(1.0 / 86_400.0), Duration::seconds(1)),
            (Value::Null, Duration::days(7)),
        ] {
            let loaded = load_json(with("date_window_days", days.clone())).unwrap();
            assert_eq!(loaded.window, window, "{days}");
        }
        for days in [
            json!(0),
            json!(-1),
            json!(367),
            json!("many"),
            json!(true),
            json!(0.5 / 86_400.0),
        ] {
            let message = refusal(with("date_window_days", days.clone()));
            assert!(
                message.contains("\"date_window_days\" must be"),
                "{days}: {message}"
            );
        }
    }

    #[test]
    fn unknown_settings_and_malformed_files_are_refused_by_name() {
        let message = refusal(with("start", json!("2024-01-01T00:00:00Z")));
        assert!(
            message.contains("\"start\" is not a setting of tap-bold360")
                && message.contains("start_date"),
            "{message}"
        );
        for text in ["[1, 2]", "\"config\""] {
            let message = load_text(text).err().unwrap().message;
            assert!(message.contains("must hold a JSON object"), "{message}");
        }
        let message = load_text("{account_id").err().unwrap().message;
        assert!(message.contains("is not JSON"), "{message}");
        let missing = std::env::temp_dir().join("bold360-no-such-config.json");
        let message = load(Some(&missing), |_| None).err().unwrap().message;
        assert!(message.contains("cannot read"), "{message}");
    }
}
