//! Paging never loops and never loses silently, whatever continuation a server sends: cycles
//! over any earlier continuation (v1 `Next`, v2 `NextPage`), a page cap, `Truncated` without a
//! continuation, and `Next` on a page that is not truncated.

mod common;

use bold360_sdk::ids::FolderId;
use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::{Error, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};

/// A v1 getInactiveChats page: two records starting at `first`, with `next`/`truncated`.
fn v1_page(first: u64, next: Option<u64>, truncated: bool) -> Fault {
    let next = next.map_or(String::new(), |n| {
        format!(r#","Next":{{"PageStart":"{n}","FolderID":"5"}}"#)
    });
    Fault::Body(format!(
        r#"{{"Status":"success","Truncated":{truncated}{next},"Data":[{{"ChatID":"{first}"}},{{"ChatID":"{}"}}]}}"#,
        first + 1
    ))
}

/// A v2 getAllChatMessages page: two records starting at `first`, with `cursor`.
fn v2_page(first: u64, cursor: Option<&str>, truncated: bool) -> Fault {
    let cursor = cursor.map_or(String::new(), |c| format!(r#","NextPage":"{c}""#));
    Fault::Body(format!(
        r#"{{"Status":"success","Truncated":{truncated}{cursor},"Data":[{{"ChatMessageID":"{first}"}},{{"ChatMessageID":"{}"}}]}}"#,
        first + 1
    ))
}

async fn setup() -> (Sandbox, bold360_sdk::Client) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .max_pages(50)
        .build()
        .unwrap();
    (sandbox, client)
}

fn paging_reason(e: &Error) -> &str {
    match e {
        Error::Paging { reason, .. } => reason,
        other => panic!("expected a paging error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_v1_next_cycle_a_b_a_stops_with_every_record_once() {
    let (sandbox, client) = setup().await;
    for fault in [
        v1_page(10, Some(2), true),
        v1_page(12, Some(4), true),
        v1_page(14, Some(2), true),
    ] {
        sandbox.inject_fault(Some("getInactiveChats"), fault, 1);
    }
    let mut stream = Box::pin(
        client
            .v1()
            .get_inactive_chats(FolderId::from(5u64))
            .into_stream(),
    );
    let mut ids = Vec::new();
    let err = loop {
        match stream.next().await {
            Some(Ok(chat)) => ids.push(chat.chat_id.unwrap().to_string()),
            Some(Err(e)) => break e,
            None => panic!("the walk ended as if complete"),
        }
    };
    assert!(paging_reason(&err).contains("already sent"), "{err}");
    assert_eq!(
        ids,
        ["10", "11", "12", "13"],
        "the repeated page is not returned"
    );
    assert!(stream.next().await.is_none(), "the walk is over");
    assert_eq!(sandbox.requests().len(), 3, "it stopped at once");
}

#[tokio::test]
async fn a_v2_cursor_cycle_a_b_a_stops() {
    let (sandbox, client) = setup().await;
    for fault in [
        v2_page(1, Some("A"), true),
        v2_page(3, Some("B"), true),
        v2_page(5, Some("A"), true),
    ] {
        sandbox.inject_fault(Some("getAllChatMessages"), fault, 1);
    }
    let result: Result<Vec<_>, _> = client
        .v2()
        .get_all_chat_messages()
        .into_stream()
        .try_collect()
        .await;
    let err = result.unwrap_err();
    assert!(paging_reason(&err).contains("already sent"), "{err}");
    let cursors: Vec<_> = sandbox
        .requests()
        .iter()
        .map(|r| r.param("NextPage").map(str::to_owned))
        .collect();
    assert_eq!(cursors, [None, Some("A".into()), Some("B".into())]);
}

#[tokio::test]
async fn truncated_without_a_continuation_is_an_error_not_the_end() {
    let (sandbox, client) = setup().await;
    sandbox.inject_fault(Some("getAllChatMessages"), v2_page(1, Some("A"), true), 1);
    sandbox.inject_fault(Some("getAllChatMessages"), v2_page(3, None, true), 1);
    let pages: Vec<_> = client.v2().get_all_chat_messages().pages().collect().await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    let err = pages[1].as_ref().unwrap_err();
    assert!(
        paging_reason(err).contains("Truncated but carries no continuation"),
        "{err}"
    );

    sandbox.inject_fault(Some("getInactiveChats"), v1_page(10, None, true), 1);
    let err = client
        .v1()
        .get_inactive_chats(FolderId::from(5u64))
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(paging_reason(&err).contains("no Next"), "{err}");
}

#[tokio::test]
async fn next_on_a_page_that_is_not_truncated_is_the_end() {
    let (sandbox, client) = setup().await;
    sandbox.inject_fault(Some("getInactiveChats"), v1_page(10, Some(2), false), 1);
    let chats: Vec<_> = client
        .v1()
        .get_inactive_chats(FolderId::from(5u64))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chats.len(), 2);
    assert_eq!(
        sandbox.requests().len(),
        1,
        "Next is not followed when Truncated is false"
    );
}

#[tokio::test]
async fn the_page_cap_is_a_second_guard() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = sandbox.client_builder().max_pages(3).build().unwrap();
    assert_eq!(client.max_pages(), 3);
    let folder = common::first_chat_folder(&client).await;
    let before = sandbox.requests().len();
    let err = client
        .v1()
        .get_inactive_chats(folder)
        .page_size(5)
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(paging_reason(&err).contains("more than 3 pages"), "{err}");
    assert_eq!(sandbox.requests().len() - before, 3);
}

#[tokio::test(flavor = "current_thread")]
async fn a_truncated_list_that_does_not_page_is_flagged_and_warned() {
    let (captured, _guard) = common::capture_traces();
    let (sandbox, client) = setup().await;
    sandbox.inject_fault(
        Some("getActiveChats"),
        Fault::Body(r#"{"Status":"success","Truncated":true,"Data":[{"ChatID":"1"}]}"#.into()),
        1,
    );
    let page = client.v1().get_active_chats().send().await.unwrap();
    assert_eq!(page.truncated, Some(true));
    let log = captured.text();
    assert!(
        log.contains("truncated and the method does not page") && log.contains("getActiveChats"),
        "{log}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_walk_over_a_list_that_does_not_page_warns_on_truncated() {
    use bold360_sdk::paging::{PageStyle, PageWalker, PagedCall};
    let (captured, _guard) = common::capture_traces();
    let (sandbox, client) = setup().await;
    sandbox.inject_fault(
        Some("getActiveChats"),
        Fault::Body(r#"{"Status":"success","Truncated":true,"Data":[{"ChatID":"1"}]}"#.into()),
        1,
    );
    let call = PagedCall {
        method: "getActiveChats".into(),
        spec: None,
        kind: bold360_sdk::MethodKind::Read,
        expected_records: 1,
        retry: None,
        style: PageStyle::Single,
        timeout: None,
        page_size_param: None,
    };
    let mut walker = PageWalker::new(call, bold360_sdk::Params::new());
    let page = walker
        .next_page::<serde_json::Value>(&client)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.truncated, Some(true));
    assert!(walker
        .next_page::<serde_json::Value>(&client)
        .await
        .is_none());
    let log = captured.text();
    assert!(
        log.contains("truncated and the method does not page"),
        "{log}"
    );
}
