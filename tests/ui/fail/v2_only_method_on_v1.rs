async fn call(client: bold360_sdk::Client) {
    let _ = client.v1().get_all_invitations().send().await;
}

fn main() {}
