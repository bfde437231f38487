//! `bold360 sandbox [--port N]`.

use std::io::Write;

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ExposeSecret;

use crate::fail::{Failure, OK};

pub async fn run(port: u16, no_limits: bool, chats: u32) -> Result<u8, Failure> {
    let mut builder = Sandbox::builder().port(port).chats(chats);
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
