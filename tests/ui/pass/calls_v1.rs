//! Single-item, list, paged and write calls on a v1 client compile.
use bold360_sdk::ids::{ChatId, FolderId};
use bold360_sdk::methods::{add_chat_message, get_folders};
use bold360_sdk::{Api, Client, V1};

#[allow(dead_code)]
async fn calls(client: Client) -> Result<(), bold360_sdk::Error> {
    let v1: Api<V1> = client.v1();
    let chat = v1.get_chat(ChatId::from(9007199254740993u64)).send().await?;
    let _: Option<bold360_sdk::methods::get_chat::Record> = chat.data;
    let folders = v1.get_folders().folder_type(get_folders::FolderType::Chats).send().await?;
    let _ = folders.data.map(|records| records.len());
    let page = v1
        .get_inactive_chats("9007199254740994".parse::<FolderId>().unwrap())
        .from_date(chrono::Utc::now())
        .page_start(1000)
        .page_size(500)
        .send()
        .await?;
    let _ = (page.truncated, page.next);
    v1.add_chat_message(9007199254740993u64, add_chat_message::Type::Operator)
        .message("hello")
        .send()
        .await?;
    Ok(())
}

fn main() {}
