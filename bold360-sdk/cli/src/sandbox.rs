//! `bold360 sandbox [--port N] [--no-limits] [--chats N] [--latency 150ms]`.

use std::io::Write;
use std::time::Duration;

use bold360_sdk::sandbox::Sandbox;
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

pub async fn run(port: u16, no_limits: bool, chats: u32, latency: Duration) -> Result<u8, Failure> {
    let mut builder = Sandbox::builder().port(port).chats(chats).latency(latency);
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
    let _ = writeln!(out, "Press Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(OK)
}
