//! A user's own manifest, for methods the SDK does not describe: extension traits on Api.
use bold360_sdk::Client;

bold360_sdk::bold360_api!(path = "${BOLD360_UI_MANIFESTS}/private", extension = PrivateMethods);

#[allow(dead_code)]
async fn call(client: Client) -> Result<(), bold360_sdk::Error> {
    let health = client
        .v2()
        .get_queue_health(bold360_sdk::ids::DepartmentId::from(7u64))
        .window(get_queue_health::Window::TheLastHour)
        .send()
        .await?;
    let record = health.data.unwrap_or_default();
    let _: Option<ids::QueueGroupId> = record.queue_group_id;
    let _: Option<bold360_sdk::ids::DepartmentId> = record.department_id;
    Ok(())
}

fn main() {}
