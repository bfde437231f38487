//! The main job: a single-item, a list, a paged (every page, through the SDK's stream) and a
//! write call through the typed API, with a short summary.
//!
//! ```text
//! cargo run -p bold360-sdk --example quickstart
//! ```
//!
//! With `BOLD360_ACCOUNT_ID`, `BOLD360_API_SETTING_ID` and `BOLD360_API_KEY` set, it runs the
//! read calls against the real service (`BOLD360_REGION` / `BOLD360_ENDPOINT` are honoured).
//! Without them it starts the local sandbox in-process and runs everything, the write
//! included, against it.

use std::time::Instant;

use bold360_sdk::methods::{add_chat_message, get_folders};
use bold360_sdk::prelude::*;
use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::Credentials;

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
        let sandbox = Sandbox::builder().recent_data().start().await?;
        println!(
            "No BOLD360_* credentials: using the local sandbox at {}",
            sandbox.base_url()
        );
        (sandbox.client()?, Some(sandbox))
    };
    let v1 = client.v1();

    // A list call.
    let agents = v1.get_operators().send().await?.data.unwrap_or_default();
    println!("getOperators: {} agents", agents.len());
    for agent in agents.iter().take(3) {
        println!(
            "  - {} <{}> (LoginID {})",
            agent.name.as_deref().unwrap_or("?"),
            agent.email.as_deref().unwrap_or("?"),
            agent.login_id.as_ref().map(|id| id.as_str()).unwrap_or("?")
        );
    }

    // A single-item call, with a typed ID taken from the list.
    if let Some(login_id) = agents.first().and_then(|a| a.login_id.clone()) {
        let agent = v1
            .get_operator(login_id)
            .send()
            .await?
            .data
            .unwrap_or_default();
        println!(
            "getOperator: {} is in department {}",
            agent.name.as_deref().unwrap_or("?"),
            agent
                .department_id
                .as_ref()
                .map(|id| id.as_str())
                .unwrap_or("none")
        );
    }

    // A paged call, all pages: the chat folders, then every closed chat of the first one,
    // sending back the `Next` object of each page as it came.
    let folders = v1
        .get_folders()
        .folder_type(get_folders::FolderType::Chats)
        .send()
        .await?;
    let folders = folders.data.unwrap_or_default();
    let Some(folder) = folders.first() else {
        println!("No chat folders; nothing to page through.");
        return Ok(());
    };
    let Some(folder_id) = folder.folder_id.clone() else {
        return Err("a folder without a FolderID".into());
    };
    // The SDK follows each page's `Next` object itself; `pages()` hands the pages over one at
    // a time (one in memory), `into_stream()` the records of every page.
    let mut pages = v1.get_inactive_chats(folder_id).page_size(25).pages();
    let (mut chats, mut page_count) = (Vec::new(), 0);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        chats.extend(page.data.unwrap_or_default());
    }
    println!(
        "getInactiveChats: {} chats in folder {:?} over {page_count} {}",
        chats.len(),
        // The vendor's getFolders page does not list Name, so it arrives in `extra`.
        folder
            .extra
            .get("Name")
            .and_then(|n| n.as_str())
            .unwrap_or("?"),
        if page_count == 1 { "page" } else { "pages" }
    );

    // A write (sandbox only), and the read that shows it.
    if let (Some(_), Some(chat_id)) = (&sandbox, chats.first().and_then(|c| c.chat_id.clone())) {
        v1.add_chat_message(chat_id.clone(), add_chat_message::Type::Operator)
            .name("Quickstart")
            .message("Hello from bold360-sdk: 100% typed & signed!")
            .send()
            .await?;
        let messages = v1
            .get_chat_messages(chat_id.clone())
            .send()
            .await?
            .data
            .unwrap_or_default();
        // The vendor's field table for messages stops before Text; the manifest adds it from
        // client code that reads real responses (api-spec/overrides.json).
        let last = messages
            .last()
            .and_then(|m| m.text.as_deref())
            .unwrap_or("");
        println!(
            "addChatMessage: chat {chat_id} now has {} messages; the last says: {last}",
            messages.len()
        );
    }

    println!("Done in {} ms.", started.elapsed().as_millis());
    println!(
        "This program is bold360-sdk/examples/quickstart.rs. Next: `cargo run -p bold360-cli -- \
         methods` lists every method, `bold360 sandbox` serves this data to your own code, and the \
         README's first snippet is a program of your own."
    );
    Ok(())
}
