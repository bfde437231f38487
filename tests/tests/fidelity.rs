//! What real Bold360 sends and takes, where our copy of the vendor's pages is cut off or
//! silent: the fields client code reads from cut-off records, methods known by name only
//! (getDepartments), and updateChat's writable fields. Against the sandbox, end to end.

mod common;

use bold360_sdk::ids::{ChatId, FolderId, UserCategoryId, UserStatusId};
use bold360_sdk::methods::{get_chat, get_inactive_chats};
use bold360_sdk::prelude::*;
use bold360_sdk::{methods, MethodKind, Params};
use common::{capture_traces, sandbox_and_client};

/// The chat folders of the sandbox (FolderType 5 = chat).
async fn chat_folders(client: &bold360_sdk::Client) -> Vec<FolderId> {
    let folders = client
        .v1()
        .get_folders()
        .folder_type(bold360_sdk::methods::get_folders::FolderType::Chats)
        .send()
        .await
        .unwrap();
    folders
        .data
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.folder_id)
        .collect()
}

#[tokio::test]
async fn cut_off_chat_records_carry_the_fields_clients_read() {
    let (_sandbox, client) = sandbox_and_client().await;
    let mut chats = Vec::new();
    for folder in chat_folders(&client).await {
        let mut stream = client.v1().get_inactive_chats(folder).into_stream();
        while let Some(chat) = stream.try_next().await.unwrap() {
            chats.push(chat);
        }
    }
    assert_eq!(chats.len(), common::CHATS as usize);
    for chat in &chats {
        // Fields bcsearch's saveChatToDB reads and the trigger parameter page lists.
        assert!(chat.chat_id.is_some() && chat.operator_id.is_some());
        assert!(chat.department_id.is_some() && chat.folder_id.is_some());
        assert!(chat.visit_id.is_some() && chat.visitor_id.is_some());
        assert!(chat.started.is_some() && chat.answered.is_some() && chat.ended.is_some());
        assert!(chat.chat_name.as_deref().unwrap().starts_with("Visitor "));
        assert!(chat.chat_url.as_deref().unwrap().starts_with("https://"));
        assert_eq!(chat.visitor_message_count, Some(2));
        assert_eq!(chat.operator_message_count, Some(1));
        assert_eq!(
            chat.client_type,
            Some(get_inactive_chats::ClientType::Web),
            "an enum from the ClientType list"
        );
        for name in [
            "VisitID",
            "VisitorID",
            "ChatUrl",
            "ChatStatusType",
            "Started",
        ] {
            assert!(!chat.extra.contains_key(name), "{name} is typed, not extra");
        }
    }
    // 18: beyond the vendor's list, kept as Unknown, never failing the record.
    let unknown: Vec<_> = chats
        .iter()
        .filter(|c| {
            c.chat_status_type == Some(get_inactive_chats::ChatStatusType::Unknown("18".into()))
        })
        .collect();
    assert_eq!(unknown.len(), 3, "chats 50, 100 and 150 carry 18");
    assert!(
        chats
            .iter()
            .any(|c| c.chat_status_type
                == Some(get_inactive_chats::ChatStatusType::ChatEndedAnswered))
    );

    // getChat: the same record, typed the same way.
    let id: ChatId = unknown[0].chat_id.clone().unwrap();
    let chat = client.v2().get_chat(id.clone()).send().await.unwrap();
    let chat = chat.data.unwrap();
    assert_eq!(chat.chat_id.as_ref(), Some(&id));
    assert_eq!(
        chat.chat_status_type,
        Some(get_chat::ChatStatusType::Unknown("18".into()))
    );
    assert_eq!(chat.visit_id, unknown[0].visit_id);
    assert_eq!(chat.custom_fields, Some(serde_json::json!({})));

    // Messages carry their text.
    let messages = client.v1().get_chat_messages(id).send().await.unwrap();
    let messages = messages.data.unwrap();
    assert_eq!(messages.len(), 3);
    for m in &messages {
        let text = m.text.as_deref().expect("Text is typed");
        assert!(text.contains("message"), "{text}");
        assert!(!m.extra.contains_key("Text"));
    }
    let first = client
        .v2()
        .get_all_chat_messages()
        .into_stream()
        .try_next()
        .await
        .unwrap()
        .unwrap();
    assert!(first.text.is_some());
}

#[tokio::test]
async fn an_unexpected_type_in_an_added_field_stays_lenient() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject_fault(
        Some("getChat"),
        bold360_sdk::sandbox::Fault::Body(
            r#"{"Status":"success","Data":{"ChatID":"1","VisitorMessageCount":"many","ChatStatusType":"18","Started":"yesterday"}}"#.into(),
        ),
        1,
    );
    let chat = client
        .v1()
        .get_chat(ChatId::from(1u64))
        .send()
        .await
        .unwrap();
    let chat = chat.data.unwrap();
    assert_eq!(chat.chat_id, Some(ChatId::from(1u64)));
    assert_eq!(chat.visitor_message_count, None);
    assert_eq!(chat.extra["VisitorMessageCount"], "many", "kept in extra");
    assert_eq!(chat.started, None);
    assert_eq!(chat.extra["Started"], "yesterday");
    assert_eq!(
        chat.chat_status_type,
        Some(get_chat::ChatStatusType::Unknown("18".into()))
    );
    assert_eq!(
        chat.ended, None,
        "a field the response does not carry is None"
    );
}

#[tokio::test]
async fn update_chat_sets_every_field_its_page_lists() {
    let (_sandbox, client) = sandbox_and_client().await;
    let folder = chat_folders(&client).await[0].clone();
    let page = client.v1().get_inactive_chats(folder).send().await.unwrap();
    let id = page.data.unwrap()[0].chat_id.clone().unwrap();
    client
        .v2()
        .update_chat(id.clone())
        .chat_name("D'Arcy")
        .user_status_id(UserStatusId::from(7u64))
        .user_category_id(UserCategoryId::from(8u64))
        .visit_email_address("darcy@example.com")
        .initial_question("where's my order?")
        .city("Cork")
        .custom_field("TicketID", "T-1")
        .operator_custom_field("Owner", "jane")
        .send()
        .await
        .unwrap();
    // By name too: a family member is documented (no warning), and is sent.
    let (traces, _guard) = capture_traces();
    client
        .call_raw(
            "updateChat",
            Params::new()
                .with("ChatID", id.as_str())
                .with("CustomFields.Priority", "high"),
        )
        .await
        .unwrap();
    assert!(
        !traces.text().contains("does not document"),
        "{}",
        traces.text()
    );
    let chat = client.v1().get_chat(id).send().await.unwrap().data.unwrap();
    assert_eq!(chat.chat_name.as_deref(), Some("D'Arcy"));
    assert_eq!(chat.user_status_id, Some(UserStatusId::from(7u64)));
    assert_eq!(chat.user_category_id, Some(UserCategoryId::from(8u64)));
    assert_eq!(
        chat.visit_email_address.as_deref(),
        Some("darcy@example.com")
    );
    assert_eq!(chat.initial_question.as_deref(), Some("where's my order?"));
    assert_eq!(
        chat.custom_fields,
        Some(serde_json::json!({"TicketID": "T-1", "Priority": "high"}))
    );
    assert_eq!(chat.extra["OperatorCustomFields.Owner"], "jane");
}

#[test]
fn update_chat_documents_its_fields_and_families_and_nothing_else() {
    let m = methods::lookup("updateChat").unwrap();
    for name in [
        "UserStatusID",
        "UserCategoryID",
        "CustomField1ID",
        "CustomField2ID",
        "VisitRef",
        "VisitInfo",
        "VisitEmailAddress",
        "VisitPhone",
        "ChatName",
        "LastName",
        "InitialQuestion",
        "ChatUrl",
        "CustomUrl",
        "CountryCode",
        "RegionCode",
        "City",
        "ScheduleHistoryToEmailAddress",
        "CustomFields.TicketID",
        "OperatorCustomFields.Owner",
    ] {
        assert!(m.documents(name), "{name}");
    }
    for name in [
        "CustomFields.",
        "CustomFields. ",
        "CustomField.X",
        "Bogus",
        "customfields.X",
    ] {
        assert!(!m.documents(name), "{name}");
    }
    // An ID field is checked as an ID by name.
    let err = m
        .check(
            bold360_sdk::ApiVersion::V1,
            &Params::new().with("ChatID", "1").with("UserStatusID", "x"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("UserStatusID"), "{err}");
}

#[tokio::test]
async fn methods_known_by_name_are_callable_and_typed_as_undocumented() {
    assert_eq!(methods::UNDOCUMENTED.len(), 33);
    for m in methods::UNDOCUMENTED {
        assert!(
            methods::lookup(m.name()).is_none(),
            "{} is documented",
            m.name()
        );
        assert_eq!(m.kind(), MethodKind::from_name(m.name()));
    }
    let departments = methods::undocumented("getDepartments").unwrap();
    assert_eq!(departments.kind(), MethodKind::Read);
    assert_eq!(
        methods::undocumented("deleteOperator").unwrap().kind(),
        MethodKind::Write
    );
    // The vendor's demo's first call, by name, answered by the sandbox without a warning.
    let (_sandbox, client) = sandbox_and_client().await;
    let (traces, _guard) = capture_traces();
    let answer = client
        .call_raw("getDepartments", Params::new())
        .await
        .unwrap();
    let records = answer.data.unwrap();
    let records = records.as_array().unwrap();
    assert!(!records.is_empty());
    assert!(records.iter().all(|d| d.get("DepartmentID").is_some()));
    assert!(!traces.text().contains("WARN"), "{}", traces.text());
}

#[test]
fn the_known_methods_match_the_shared_list_when_present() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/known-methods.json"
    );
    if let Ok(text) = std::fs::read_to_string(shared) {
        let ours: serde_json::Value =
            serde_json::from_str(bold360_api_spec::known::KNOWN_METHODS_JSON).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ours, theirs, "api-spec/known-methods.json is stale");
    }
}
