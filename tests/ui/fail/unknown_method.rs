async fn call(client: bold360_sdk::Client) {
    let _ = client.v1().get_everything().send().await;
}

fn main() {}
