//! `tap-bold360` (and `bold360 tap`): a Singer tap for Bold360, following the Singer
//! specification as Meltano maintains it.
//!
//! ```text
//! tap-bold360 --about [--format json|markdown]
//! tap-bold360 --config config.json --discover > catalog.json
//! tap-bold360 --config config.json [--catalog catalog.json] [--state state.json] | target-postgres …
//! ```
//!
//! Streams, schemas and keys come from the manifest ([`streams`], [`schema`]); state is
//! Meltano's bookmark format ([`state`]). Every input is checked before the first message is
//! written: a bad config, catalog or state ends the run with exit 2, a message naming the field,
//! and nothing on stdout.

pub mod about;
pub mod catalog;
pub mod config;
mod last_page;
pub mod messages;
mod reader;
pub mod schema;
pub mod state;
pub mod streams;
pub mod sync;
mod windows;

use std::path::PathBuf;

use bold360_api_spec::Version;

use crate::exit::OK;
use crate::fail::Failure;

/// The tap's command line (the Singer convention).
#[derive(Debug, Clone, clap::Args)]
pub struct TapArgs {
    /// Print what the tap is, its settings and streams, and exit.
    #[arg(long)]
    pub about: bool,
    /// With --about: `json` (default) or `markdown`.
    #[arg(long, value_name = "FORMAT", requires = "about", value_parser = ["json", "markdown"])]
    pub format: Option<String>,
    /// Print the catalog (every stream, its schema and metadata) and exit.
    #[arg(long)]
    pub discover: bool,
    /// The settings file (JSON); settings it leaves out come from BOLD360_* variables.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The catalog: which streams and fields to sync (default: every stream).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// The last STATE message's value: where incremental streams resume.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// The manifest's version setting, read before the client (streams are planned per version).
fn configured_version(args: &TapArgs) -> Version {
    version_setting(args, |name| std::env::var(name).ok())
}

/// [`configured_version`] with the environment as a function.
fn version_setting(args: &TapArgs, env: impl Fn(&str) -> Option<String>) -> Version {
    let from_file = args
        .config
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.get("api_version")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
    let text = from_file.or_else(|| env(bold360_sdk::env::API_VERSION));
    // Read by the SDK's rule; a value it refuses is reported when the client is built.
    match text.and_then(|t| t.parse::<bold360_sdk::ApiVersion>().ok()) {
        Some(bold360_sdk::ApiVersion::V2) => Version::V2,
        _ => Version::V1,
    }
}

/// Runs the tap.
pub async fn run(args: TapArgs) -> Result<u8, Failure> {
    let manifest = crate::args::manifest()?;
    let (plans, not_streams) = streams::plan(&manifest, configured_version(&args));
    if args.about {
        let text = match args.format.as_deref() {
            Some("markdown") => about::markdown(&plans, &not_streams),
            _ => about::json(&plans, &not_streams),
        };
        crate::out::outln!("{}", text.trim_end());
        return Ok(OK);
    }
    if args.discover {
        let catalog = catalog::discover(&plans);
        crate::out::outln!(
            "{}",
            serde_json::to_string_pretty(&catalog).unwrap_or_default()
        );
        return Ok(OK);
    }
    // Everything is checked before the first message.
    let config = config::load(args.config.as_deref(), |name| std::env::var(name).ok())?;
    let selection = match &args.catalog {
        Some(path) => catalog::load(path, &plans)?,
        None => plans.iter().map(|p| (p.name.clone(), Vec::new())).collect(),
    };
    let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    let state = match &args.state {
        Some(path) => state::State::load(path, &names)?,
        None => state::State::default(),
    };
    let mut sync = sync::Sync::new(&config, &plans, state);
    let result = sync.run(&selection).await;
    let records = sync.out.records;
    let limiter = config.client.stats();
    tracing::info!(
        target: "tap_bold360",
        records,
        requests = limiter.acquired,
        waited = limiter.waited,
        wait_s = limiter.wait_time.as_secs_f64(),
        slow_responses = limiter.slow_responses,
        backoffs = limiter.backoffs,
        refusals = limiter.refusals,
        retries = limiter.retries,
        "sync finished"
    );
    result.map(|()| OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_setting_is_read_by_the_sdks_rule_file_first() {
        let path =
            std::env::temp_dir().join(format!("bold360-tap-version-{}.json", std::process::id()));
        let args = |config: Option<&PathBuf>| TapArgs {
            about: false,
            format: None,
            discover: false,
            config: config.cloned(),
            catalog: None,
            state: None,
        };
        let env_v2 = |name: &str| (name == bold360_sdk::env::API_VERSION).then(|| "v2".to_owned());
        assert_eq!(version_setting(&args(None), |_| None), Version::V1);
        assert_eq!(version_setting(&args(None), env_v2), Version::V2);
        for (written, expected) in [
            ("2", Version::V2),
            (" V2 ", Version::V2),
            ("v1", Version::V1),
            ("v9", Version::V1),
        ] {
            std::fs::write(
                &path,
                serde_json::json!({ "api_version": written }).to_string(),
            )
            .unwrap();
            assert_eq!(
                version_setting(&args(Some(&path)), env_v2),
                expected,
                "{written:?}"
            );
        }
        let _ = std::fs::remove_file(&path);
    }
}
