//! Reconciliation: Bold360 documents no redelivery, so a trigger lost on the way is gone.
//! Every `--reconcile-every`, the relay lists the chats closed since its watermark (getFolders
//! for the chat folders, getInactiveChats for each, every page) and stores a `chat-closed`
//! event, `"source": "reconciled"`, for each: a chat a trigger already announced has the same
//! event ID, so it is a duplicate and nothing more. The watermark advances only after a whole
//! window is read.

use bold360_sdk::chrono::{DateTime, Duration, SecondsFormat, Utc};
use bold360_sdk::ids::FolderId;
use bold360_sdk::prelude::*;
use bold360_sdk::Client;

use super::event::Event;
use super::inbox::Inbox;

/// The watermark's name in the inbox's state.
const WATERMARK: &str = "reconcile_watermark";

/// What one reconciliation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Closed chats listed in the window.
    pub listed: u64,
    /// Of those, chats no event announced (new events).
    pub new: u64,
}

/// The window's start: the watermark, or `first_window` before now when there is none.
async fn watermark(inbox: &Inbox, first_window: Duration) -> Result<DateTime<Utc>, String> {
    match inbox.state(WATERMARK).await? {
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("the inbox's watermark {text:?}: {e}")),
        None => Ok(Utc::now() - first_window),
    }
}

/// One reconciliation: the window from the watermark to now, read completely, then the
/// watermark moved to its end.
pub async fn once(
    client: &Client,
    inbox: &Inbox,
    first_window: Duration,
) -> Result<Reconciled, String> {
    let from = watermark(inbox, first_window).await?;
    // Whole seconds: the API's dates carry no fraction, and the next window starts here.
    let to = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_else(Utc::now);
    if to <= from {
        return Ok(Reconciled::default());
    }
    let mut done = Reconciled::default();
    let folders = client
        .v1()
        .get_folders()
        .folder_type(bold360_sdk::methods::get_folders::FolderType::Chats)
        .send()
        .await
        .map_err(|e| format!("reconcile: getFolders: {e}"))?;
    let folders: Vec<FolderId> = folders
        .data
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.folder_id)
        .collect();
    for folder in folders {
        let mut chats = client
            .v1()
            .get_inactive_chats(folder.clone())
            .from_date(from)
            .to_date(to)
            .into_stream();
        while let Some(chat) = chats
            .try_next()
            .await
            .map_err(|e| format!("reconcile: getInactiveChats of folder {folder}: {e}"))?
        {
            let Some(chat_id) = chat.chat_id.clone() else {
                continue;
            };
            done.listed += 1;
            let record = serde_json::to_value(&chat).map_err(|e| e.to_string())?;
            let event = Event::reconciled(chat_id.as_str(), record, Utc::now());
            if inbox.insert(&event).await? {
                tracing::info!(event = %event.id, chat = %chat_id, "a closed chat no trigger announced");
                done.new += 1;
            }
        }
    }
    inbox
        .set_state(WATERMARK, &to.to_rfc3339_opts(SecondsFormat::Secs, true))
        .await?;
    inbox
        .set_state(
            "last_reconciliation",
            &format!(
                "{} (window {} to {}: {} closed chats, {} without a trigger)",
                Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
                from.to_rfc3339_opts(SecondsFormat::Secs, true),
                to.to_rfc3339_opts(SecondsFormat::Secs, true),
                done.listed,
                done.new
            ),
        )
        .await?;
    Ok(done)
}
