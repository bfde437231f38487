async fn call(client: bold360_sdk::Client) {
    let _ = client.v2().get_all_chat_messages().page_start(1000).send().await;
}

fn main() {}
