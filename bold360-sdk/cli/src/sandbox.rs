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
    let _ = writeln!(out, "Press Ctrl-C to stop.");
    let _ = out.flush();
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(OK)
}
