//! The main job: a single-item, a list, a paged (all pages) and a write call, with a summary.
//!
//! ```text
//! cargo run -p bold360-sdk --example quickstart
//! ```
//!
//! With `BOLD360_ACCOUNT_ID`, `BOLD360_API_SETTING_ID` and `BOLD360_API_KEY` set, it runs the
//! read calls against the real service (`BOLD360_REGION` / `BOLD360_ENDPOINT` /
//! `BOLD360_API_VERSION` are honoured). Without them it starts the local sandbox in-process and
//! runs everything, the write included, against it.

use std::time::Instant;

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::{ApiVersion, Client, Credentials, Params};
use serde_json::Value;

#[tokio::main]
async fn main() {
    if let Err(err) = run().await {
        eprintln!("quickstart failed: {err}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (client, sandbox) = if Credentials::present_in_env() {
        let client = Client::from_env()?;
        println!(
            "Using the real service at {} (reads only)",
            client.endpoint()
        );
        (client, None)
    } else {
        let sandbox = Sandbox::start().await?;
        println!(
            "No BOLD360_* credentials: using the local sandbox at {}",
            sandbox.base_url()
        );
        (sandbox.client()?, Some(sandbox))
    };
    let v1 = client.with_version(ApiVersion::V1);

    // A list call.
    let operators = v1.call_raw("getOperators", Params::new()).await?;
    let agents = records(&operators.data);
    println!("getOperators: {} agents", agents.len());
    for agent in agents.iter().take(3) {
        println!(
            "  - {} <{}> (LoginID {})",
            text(agent, "Name"),
            text(agent, "Email"),
            text(agent, "LoginID")
        );
    }

    // A single-item call.
    if let Some(first) = agents.first() {
        let agent = v1
            .call_raw("getOperator", [("OperatorID", text(first, "LoginID"))])
            .await?;
        let agent = agent.data.unwrap_or_default();
        println!(
            "getOperator: {} is in department {}",
            text(&agent, "Name"),
            text(&agent, "DepartmentID")
        );
    }

    // A paged call, all pages: chat folders, then every closed chat of the first one.
    let folders = v1.call_raw("getFolders", [("FolderType", "5")]).await?;
    let folders = records(&folders.data);
    let Some(folder) = folders.first() else {
        println!("No chat folders; nothing to page through.");
        return Ok(());
    };
    let folder_id = text(folder, "FolderID");
    let mut params = Params::new()
        .with("FolderID", folder_id.as_str())
        .with("PageSize", 25);
    let (mut pages, mut chats) = (0, Vec::new());
    loop {
        let page = v1.call_raw("getInactiveChats", params.clone()).await?;
        pages += 1;
        chats.extend(records(&page.data));
        match page.next {
            Some(next) if page.truncated == Some(true) => {
                for (name, value) in next.to_params().iter() {
                    params.set(name, value);
                }
            }
            _ => break,
        }
    }
    println!(
        "getInactiveChats: {} chats in folder {:?} over {pages} pages",
        chats.len(),
        text(folder, "Name")
    );

    // A write (sandbox only), and the read that shows it.
    if let (Some(_), Some(chat)) = (&sandbox, chats.first()) {
        let chat_id = text(chat, "ChatID");
        v1.call_raw(
            "addChatMessage",
            Params::new()
                .with("ChatID", chat_id.as_str())
                .with("Type", "Operator")
                .with("Name", "Quickstart")
                .with("Message", "Hello from bold360-sdk: 100% typed & signed!"),
        )
        .await?;
        let messages = v1
            .call_raw("getChatMessages", [("ChatID", chat_id.as_str())])
            .await?;
        let messages = records(&messages.data);
        let last = messages.last().map(|m| text(m, "Text")).unwrap_or_default();
        println!(
            "addChatMessage: chat {chat_id} now has {} messages; the last says {last:?}",
            messages.len()
        );
    }

    println!("Done in {} ms.", started.elapsed().as_millis());
    Ok(())
}

fn records(data: &Option<Value>) -> Vec<Value> {
    match data {
        Some(Value::Array(items)) => items.clone(),
        Some(other @ Value::Object(_)) => vec![other.clone()],
        _ => Vec::new(),
    }
}

fn text(record: &Value, field: &str) -> String {
    match record.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
