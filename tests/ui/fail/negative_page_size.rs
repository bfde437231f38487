// Page sizes and offsets are counts: a negative one does not compile.
async fn call(client: bold360_sdk::Client) {
    let _ = client.v1().get_all_chat_messages().page_size(-5).send().await;
}

fn main() {}
