//! Single-item, list, paged and write calls on a v2 client compile.
use bold360_sdk::ids::OperatorId;
use bold360_sdk::methods::get_login_activity::ServiceType;
use bold360_sdk::{Api, Client, V2};

#[allow(dead_code)]
async fn calls(client: Client) -> Result<(), bold360_sdk::Error> {
    let v2: Api<V2> = client.v2();
    let operator = v2.get_operator(OperatorId::from(2150000000000001u64)).send().await?;
    let _ = operator.data.and_then(|o| o.name);
    let operators = v2.get_operators().send().await?;
    let _ = operators.record_count();
    let page = v2.get_login_activity(ServiceType::Chats).next_page("cursor").send().await?;
    let _: Option<String> = page.next_page;
    let invitations = v2.get_all_invitations().send().await?;
    let _ = invitations.truncated;
    v2.edit_operator(2150000000000001u64)
        .departments(r#"[{"DepartmentID":"1","Priority":1}]"#)
        .chat_name("Ada")
        .send()
        .await?;
    Ok(())
}

fn main() {}
