// IDs from text must be parsed (validated) first: a string is not an ID.
async fn call(client: bold360_sdk::Client) {
    let _ = client.v1().get_chat("not-an-id").send().await;
}

fn main() {}
