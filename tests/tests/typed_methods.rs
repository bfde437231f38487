//! The generated, typed methods end to end against the sandbox.

mod common;

use bold360_sdk::ids::{ChatId, DepartmentId, FolderId, OperatorId};
use bold360_sdk::methods::{
    add_chat_message, get_all_chat_messages, get_folders, get_inactive_chats,
};
use bold360_sdk::Error;
use chrono::{TimeZone, Utc};
use common::sandbox_and_client;

#[tokio::test]
async fn single_item_list_paged_and_write_calls_are_typed() {
    let (sandbox, client) = sandbox_and_client().await;
    let v1 = client.v1();

    // List.
    let operators = v1.get_operators().send().await.unwrap();
    let operators = operators.data.unwrap();
    assert_eq!(operators.len(), 6);
    let first: OperatorId = operators[0]
        .login_id
        .clone()
        .expect("LoginID is typed as an operator ID");
    assert_eq!(first.as_str(), "9007199254740996");
    assert_eq!(operators[0].name.as_deref(), Some("Ada Byron"));
    assert_eq!(operators[0].available, Some(true));

    // Single item.
    let operator = v1
        .get_operator(first.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(operator.login_id, Some(first));
    let department: DepartmentId = operator.department_id.clone().unwrap();
    let dept = v1
        .get_department(department.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(dept.department_id, Some(department));
    assert!(dept.created.is_some(), "datetime fields decode");

    // Enum parameter and fields.
    let folders = v1
        .get_folders()
        .folder_type(get_folders::FolderType::Chats)
        .send()
        .await
        .unwrap();
    let folders = folders.data.unwrap();
    assert_eq!(folders.len(), 2);
    assert_eq!(folders[0].folder_type, Some(get_folders::FolderType::Chats));
    let folder: FolderId = folders[0].folder_id.clone().unwrap();

    // Paged (v1): every page through the typed builder.
    let mut start = 0;
    let mut chats = Vec::new();
    loop {
        let page = v1
            .get_inactive_chats(folder.clone())
            .page_size(40)
            .page_start(start)
            .send()
            .await
            .unwrap();
        let records: Vec<get_inactive_chats::Record> = page.data.clone().unwrap().into_vec();
        start += records.len() as u64;
        chats.extend(records);
        if page.truncated != Some(true) {
            break;
        }
    }
    assert_eq!(chats.len(), 75);
    let tagged = chats
        .iter()
        .filter(|c| c.extra.contains_key("SandboxTag"))
        .count();
    assert!(
        tagged > 0,
        "fields the manifest does not list are kept in `extra`"
    );

    // Write, then read it back.
    let chat: ChatId = chats[0].chat_id.clone().unwrap();
    v1.add_chat_message(chat.clone(), add_chat_message::Type::Operator)
        .name("Typed")
        .message("sent with a typed builder")
        .send()
        .await
        .unwrap();
    let messages = v1
        .get_chat_messages(chat.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(messages.len(), 4);
    let last = sandbox
        .requests()
        .into_iter()
        .rfind(|r| r.method == "addChatMessage")
        .unwrap();
    assert_eq!(last.param("Type"), Some("Operator"));
    assert_eq!(last.param("ChatID"), Some(chat.as_str()));
}

#[tokio::test]
async fn v2_cursor_paging_and_datetime_parameters() {
    let (sandbox, client) = sandbox_and_client().await;
    let from = Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap();
    let mut request = client.v2().get_all_chat_messages().from_date(from);
    let mut total = 0;
    loop {
        let page: get_all_chat_messages::Response = request.clone().send().await.unwrap();
        total += page.record_count();
        match page.next_page {
            Some(cursor) => request = request.next_page(cursor),
            None => break,
        }
    }
    assert!(total > 0 && total < 450, "the date filter applies: {total}");
    let sent = &sandbox.requests()[0];
    assert_eq!(sent.version, "v2");
    assert_eq!(sent.param("FromDate"), Some("2024-01-02T00:00:00Z"));
}

#[tokio::test]
async fn constraints_are_checked_before_sending() {
    let (sandbox, client) = sandbox_and_client().await;
    let err = client
        .v1()
        .set_operator_availability(
            1u64,
            bold360_sdk::methods::set_operator_availability::ServiceType::Chats,
            3u64,
        )
        .send()
        .await
        .unwrap_err();
    match err {
        Error::InvalidRequest { method, reason, .. } => {
            assert_eq!(method, "setOperatorAvailability");
            assert!(
                reason.contains("exactly one of StatusType, CustomOperatorStatusID"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = client
        .v2()
        .get_all_audit_logs()
        .from_date(Utc::now())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "ToDate"),
        "{err:?}"
    );
    assert!(sandbox.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn unknown_enum_values_and_extra_params_pass_through() {
    let (sandbox, client) = sandbox_and_client().await;
    let value = get_folders::FolderType::from_wire("99");
    assert_eq!(value, get_folders::FolderType::Unknown("99".into()));
    assert_eq!(
        get_folders::FolderType::from_wire("5"),
        get_folders::FolderType::Chats
    );
    assert_eq!(get_folders::FolderType::Chats.meaning(), Some("chats"));
    // The SDK sends a deliberate Unknown as given; the sandbox judges by the by-name rule
    // (the value is not listed) and answers as the vendor answers bad input: in-band.
    let err = client
        .v1()
        .get_folders()
        .folder_type(value)
        .param("X-Extra", "1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, bold360_sdk::Error::Api { message, .. } if message.contains("Invalid FolderType")),
        "{err}"
    );
    assert_eq!(sandbox.requests()[0].param("FolderType"), Some("99"));
    assert_eq!(sandbox.requests()[0].param("X-Extra"), Some("1"));
}

#[tokio::test]
async fn a_request_can_override_the_retry_policy() {
    use bold360_sdk::sandbox::Fault;
    use bold360_sdk::RetryPolicy;
    let (sandbox, _) = sandbox_and_client().await;
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let operators = client
        .v1()
        .get_operators()
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    let department = operators[0].department_id.clone().unwrap();
    let count = || {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "getDepartment")
            .count()
    };

    sandbox.inject_fault(Some("getDepartment"), Fault::http(503, "busy"), 1);
    client
        .v1()
        .get_department(department.clone())
        .send()
        .await
        .expect("the client's policy retries a read");
    assert_eq!(count(), 2);

    sandbox.inject_fault(Some("getDepartment"), Fault::http(503, "busy"), 1);
    let err = client
        .v1()
        .get_department(department)
        .retry_policy(RetryPolicy::none())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(count(), 3, "no retry for this request");
    assert_eq!(client.stats().retries, 1);
}

#[test]
fn the_run_time_method_table_matches_the_manifest() {
    use bold360_api_spec::model::PagingStyle;
    use bold360_api_spec::{DataShape, Kind, Manifest, Version};
    use bold360_sdk::{ApiVersion, MethodKind, Paging};
    let manifest = Manifest::embedded().unwrap();
    assert_eq!(bold360_sdk::methods::ALL.len(), manifest.methods.len());
    for m in &manifest.methods {
        let info = bold360_sdk::methods::lookup(&m.name).unwrap_or_else(|| panic!("{}", m.name));
        let kind = match m.kind {
            Kind::Read => MethodKind::Read,
            Kind::Write => MethodKind::Write,
        };
        assert_eq!(info.kind(), kind, "{}", m.name);
        assert_eq!(info.lists(), m.data == DataShape::Array, "{}", m.name);
        assert_eq!(info.page_limit(), m.max_page_size, "{}", m.name);
        for (v, av) in [(Version::V1, ApiVersion::V1), (Version::V2, ApiVersion::V2)] {
            assert_eq!(info.has_version(av), m.has_version(v), "{} {av}", m.name);
            let want = match m.paging_for(v) {
                Some(PagingStyle::Offset { .. }) => Some("Next".to_owned()),
                Some(PagingStyle::Cursor { cursor_param, .. }) => Some(cursor_param.clone()),
                None => None,
            };
            let got = info.paging(av).map(|p| match p {
                Paging::Next => "Next".to_owned(),
                Paging::Cursor(param) => param.to_owned(),
            });
            assert_eq!(got, want, "{} {av}", m.name);
        }
    }
}
