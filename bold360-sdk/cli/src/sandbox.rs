//! `bold360 sandbox [--port N] [--no-limits] [--chats N] [--latency 150ms]`.

use std::io::Write;
use std::time::Duration;

use bold360_sdk::sandbox::{ChatSimulation, Sandbox, Subscription};
use bold360_sdk::ExposeSecret;

use crate::exit::OK;
use crate::fail::Failure;

/// A latency: a number with `ms` or `s` (`150ms`, `0.3s`).
pub fn parse_latency(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(format!("{text:?}: give a unit, e.g. 150ms or 0.3s"));
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0 && *n * scale <= 60.0)
        .map(|n| Duration::from_secs_f64(n * scale))
        .ok_or_else(|| format!("{text:?}: expected a latency from 0 to 60 s, e.g. 150ms"))
}

/// The newman command that runs the Postman collection (`bold360 spec postman`) against this
/// sandbox: its URL and credentials, and a value it accepts for every parameter a request
/// cannot go without. The same `--env-var`s set a Postman environment's variables.
pub fn newman_line(sandbox: &Sandbox) -> String {
    let c = sandbox.credentials();
    let mut line = format!(
        "newman run bold360.postman_collection.json --env-var baseUrl={} --env-var accountId={} \
--env-var apiSettingId={} --env-var apiKey={}",
        sandbox.base_url(),
        c.account_id(),
        c.api_setting_id(),
        c.api_key().expose_secret()
    );
    for (name, value) in sandbox.example_values() {
        line.push_str(&format!(
            " --env-var {}",
            shell_word(&format!("{name}={value}"))
        ));
    }
    line
}

/// A word the shell reads back unchanged.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "=-_.:/@+".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Chats to simulate and the triggers to send for them (`bold360 sandbox --trigger …`).
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// Send this trigger for each simulated chat: NAME=URL, e.g.
    /// chat-closed=http://127.0.0.1:8362/chat-closed (repeatable; loopback hosts only, unless
    /// --trigger-host allows another).
    #[arg(long = "trigger", value_name = "NAME=URL")]
    pub subscriptions: Vec<Subscription>,
    /// Another host triggers may go to.
    #[arg(long = "trigger-host", value_name = "HOST")]
    pub allowed_hosts: Vec<String>,
    /// Simulate this many chats that start, get answered and close.
    #[arg(long, default_value_t = 0)]
    pub simulate_chats: u32,
    /// Chats closing per second.
    #[arg(long, default_value_t = 5.0)]
    pub per_second: f64,
    /// The share of triggers never sent (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub drop_triggers: f64,
    /// The share of triggers sent twice.
    #[arg(long, default_value_t = 0.0)]
    pub duplicate_triggers: f64,
    /// The share of triggers sent up to 2 s late.
    #[arg(long, default_value_t = 0.0)]
    pub delay_triggers: f64,
}

/// The seeded data: how many chats, how far apart, from when (`None`: ending about an hour
/// before the sandbox starts).
pub struct Data {
    pub chats: u32,
    pub chat_minutes: u32,
    pub start: Option<bold360_sdk::chrono::DateTime<bold360_sdk::chrono::Utc>>,
}

pub async fn run(
    port: u16,
    no_limits: bool,
    data: Data,
    latency: Duration,
    triggers: TriggerArgs,
) -> Result<u8, Failure> {
    let mut builder = Sandbox::builder()
        .port(port)
        .chats(data.chats)
        .chat_minutes(data.chat_minutes)
        .latency(latency);
    builder = match data.start {
        Some(start) => builder.data_start(start),
        None => builder.recent_data(),
    };
    if no_limits {
        builder = builder.without_limits();
    }
    let sandbox = builder
        .start()
        .await
        .map_err(|e| Failure::usage(format!("cannot start the sandbox on port {port}: {e}")))?;
    let c = sandbox.credentials();
    let mut out = std::io::stdout().lock();
    // The sandbox's own throwaway key: printing it is how a user points tools at it.
    let _ = writeln!(out, "Bold360 sandbox listening on {}", sandbox.base_url());
    if !latency.is_zero() {
        let _ = writeln!(
            out,
            "Every response takes {} ms longer.",
            latency.as_millis()
        );
    }
    let _ = writeln!(out, "export BOLD360_ENDPOINT={}", sandbox.base_url());
    let _ = writeln!(out, "export BOLD360_ACCOUNT_ID={}", c.account_id());
    let _ = writeln!(out, "export BOLD360_API_SETTING_ID={}", c.api_setting_id());
    let _ = writeln!(
        out,
        "export BOLD360_API_KEY={}",
        c.api_key().expose_secret()
    );
    let _ = writeln!(out, "API explorer: {}/explorer", sandbox.base_url());
    let _ = writeln!(out, "{}", newman_line(&sandbox));
    let simulation = if triggers.simulate_chats > 0 {
        let mut plan = ChatSimulation::new(triggers.simulate_chats, triggers.per_second)
            .drop_share(triggers.drop_triggers)
            .duplicate_share(triggers.duplicate_triggers)
            .delay_share(triggers.delay_triggers);
        for s in triggers.subscriptions {
            plan = plan.subscribe(s);
        }
        for host in triggers.allowed_hosts {
            plan = plan.allow_host(host);
        }
        let _ = writeln!(
            out,
            "Simulating {} chats at {}/s, sending their triggers.",
            triggers.simulate_chats, triggers.per_second
        );
        Some(sandbox.simulate_chats(plan)?)
    } else {
        None
    };
    let _ = writeln!(out, "Press Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    if let Some(simulation) = simulation {
        tokio::spawn(async move {
            let report = simulation.finished().await;
            eprintln!(
                "bold360 sandbox: {} chats closed; triggers: {} answered 2xx, {} failed, {} dropped, {} duplicated, {} delayed",
                report.chats.len(),
                report.delivered,
                report.failed,
                report.dropped,
                report.duplicated,
                report.delayed
            );
        });
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    let stats = sandbox.stats();
    eprintln!(
        "bold360 sandbox: stopped after {} requests and {} records served; {} held for the account's limits, {} refused",
        stats.requests, stats.records_served, stats.waits, stats.refusals
    );
    Ok(OK)
}
