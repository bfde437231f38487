use bold360_sdk::ids::OperatorId;

async fn call(client: bold360_sdk::Client) {
    let _ = client.v1().get_chat(OperatorId::from(5u64)).send().await;
}

fn main() {}
