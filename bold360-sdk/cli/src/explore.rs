//! `bold360 explore [--port N] [--open]`: the API explorer on loopback. With credentials in
//! the environment it explores that account; without, it starts the sandbox and explores it.

use std::io::Write;

use bold360_sdk::explorer::Explorer;
use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ClientBuilder;

use crate::exit::OK;
use crate::fail::Failure;

/// True when the environment names an account (any of the three credentials set).
fn configured() -> bool {
    [
        bold360_sdk::env::ACCOUNT_ID,
        bold360_sdk::env::API_SETTING_ID,
        bold360_sdk::env::API_KEY,
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some())
}

pub async fn run(port: u16, open: bool) -> Result<u8, Failure> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Failure::usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::usage(e.to_string()))?;
    // Kept alive for as long as the explorer serves it.
    let mut sandbox = None;
    let explorer = if configured() {
        // Every configuration problem is reported by name before anything is served.
        let client = ClientBuilder::from_env()?.build()?;
        Explorer::new(client)
    } else {
        let started = Sandbox::builder()
            .port(0)
            .recent_data()
            .start()
            .await
            .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
        let explorer = Explorer::new(started.client()?)
            .examples(started.example_values())
            .target("the local sandbox");
        sandbox = Some(started);
        explorer
    };
    let url = format!("http://{addr}/explorer");
    {
        let mut out = std::io::stdout().lock();
        match &sandbox {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "Exploring the local sandbox ({}): no credentials are set.",
                    s.base_url()
                );
            }
            None => {
                let _ = writeln!(out, "Exploring the account in BOLD360_ACCOUNT_ID (calls are real; writes ask first).");
            }
        }
        let _ = writeln!(out, "Bold360 API explorer on {url}");
        let _ = writeln!(out, "Press Ctrl-C to stop.");
        let _ = out.flush();
    }
    if open {
        open_browser(&url);
    }
    axum::serve(listener, explorer.router(addr))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    drop(sandbox);
    Ok(OK)
}

/// Opens `url` in a browser: the command in `BROWSER` when set (its first `:`-separated
/// entry, as `xdg-open` and Python's `webbrowser` read it), else the desktop's opener. Says how
/// to open the page by hand when that fails; never stops the server.
fn open_browser(url: &str) {
    let from_env = std::env::var("BROWSER").ok().and_then(|list| {
        list.split(':')
            .map(str::trim)
            .find(|entry| !entry.is_empty())
            .map(str::to_owned)
    });
    let opener = from_env.unwrap_or_else(|| {
        if cfg!(target_os = "macos") {
            "open"
        } else if cfg!(target_os = "windows") {
            "explorer"
        } else {
            "xdg-open"
        }
        .to_owned()
    });
    match std::process::Command::new(&opener).arg(url).spawn() {
        // Reaped in the background so an opener that exits leaves no zombie behind.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            eprintln!("bold360: could not open a browser ({opener}: {e}); open {url} yourself")
        }
    }
}
