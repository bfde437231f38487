//! Paging streams and report polling against the sandbox.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use bold360_sdk::sandbox::{Fault, Sandbox};
use bold360_sdk::{Error, ReportPolling, RetryPolicy};
use chrono::{TimeZone, Utc};
use common::sandbox_and_client;
use futures_util::{StreamExt, TryStreamExt};

#[tokio::test]
async fn v1_into_stream_yields_every_record_once_and_filters_survive_every_page() {
    let (sandbox, client) = sandbox_and_client().await;
    let v1 = client.v1();
    let folder = common::first_chat_folder(&client).await;
    let from = Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap();
    let all: Vec<_> = v1
        .get_inactive_chats(folder.clone())
        .page_size(1000)
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .into_vec();
    let expected: Vec<_> = all
        .iter()
        .filter(|c| c.ended.is_some_and(|e| e >= from))
        .map(|c| c.chat_id.clone())
        .collect();
    let streamed: Vec<_> = v1
        .get_inactive_chats(folder.clone())
        .from_date(from)
        .page_size(7)
        .into_stream()
        .map_ok(|c| c.chat_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, expected, "every record, once, in order");
    let ids: HashSet<_> = streamed.iter().collect();
    assert_eq!(ids.len(), streamed.len());
    let requests: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "getInactiveChats")
        .skip(1)
        .collect();
    assert_eq!(requests.len(), expected.len().div_ceil(7));
    for r in &requests {
        assert_eq!(r.param("FolderID"), Some(folder.as_str()));
        assert_eq!(
            r.param("FromDate"),
            Some("2024-01-02T00:00:00Z"),
            "the filter is sent with every page"
        );
        assert_eq!(r.param("PageSize"), Some("7"));
    }
}

#[tokio::test]
async fn v2_pages_follow_the_cursor_to_the_end() {
    let sandbox = Sandbox::builder().chats(700).start().await.unwrap();
    let client = sandbox.client().unwrap();
    let pages: Vec<_> = client
        .v2()
        .get_all_chat_messages()
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.record_count()).collect::<Vec<_>>(),
        [1000, 1000, 100]
    );
    assert_eq!(pages[0].truncated, Some(true));
    assert!(pages[2].next_page.is_none());
    let ids: HashSet<String> = pages
        .iter()
        .flat_map(|p| p.data.clone().unwrap())
        .map(|m| m.chat_message_id.unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2100, "no record lost or repeated");
}

#[tokio::test]
async fn streams_are_lazy() {
    let sandbox = Sandbox::builder().chats(700).start().await.unwrap();
    let client = sandbox.client().unwrap();
    let first: Vec<_> = client
        .v2()
        .get_all_chat_messages()
        .into_stream()
        .take(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 5);
    assert_eq!(
        sandbox.stats().requests,
        1,
        "only the first page was fetched"
    );
}

#[tokio::test]
async fn the_next_object_is_sent_back_verbatim_whatever_its_keys() {
    let (sandbox, client) = sandbox_and_client().await;
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        Fault::Body(r#"{"Status":"success","Data":[{"ChatMessageID":"1"}],"Truncated":true,"Next":{"Cursor":"abc","PageStart":1,"Extra":"x y"}}"#.into()),
        1,
    );
    let records: Vec<_> = client
        .v1()
        .get_all_chat_messages()
        .page_size(100)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        records.len(),
        1 + 449,
        "the faked first page, then every real record from offset 1 on"
    );
    let second = &sandbox.requests()[1];
    assert_eq!(second.param("Cursor"), Some("abc"));
    assert_eq!(second.param("Extra"), Some("x y"));
    assert_eq!(second.param("PageStart"), Some("1"));
    assert_eq!(
        second.param("PageSize"),
        Some("100"),
        "the caller's parameters stay"
    );
}

#[tokio::test]
async fn a_repeated_cursor_stops_paging_with_an_error() {
    let (sandbox, client) = sandbox_and_client().await;
    let page =
        r#"{"Status":"success","Data":[{"ChatMessageID":"1"}],"Truncated":true,"NextPage":"same"}"#;
    sandbox.inject_fault(Some("getAllChatMessages"), Fault::Body(page.into()), 2);
    let results: Vec<_> = client.v2().get_all_chat_messages().pages().collect().await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(
        matches!(&results[1], Err(Error::Paging { method, .. }) if method == "getAllChatMessages"),
        "{:?}",
        results[1]
    );
}

#[tokio::test]
async fn an_error_ends_the_stream_after_reporting_it() {
    let (sandbox, _) = sandbox_and_client().await;
    let client = sandbox
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        Fault::http(502, "bad gateway"),
        1,
    );
    let results: Vec<_> = client
        .v2()
        .get_all_chat_messages()
        .into_stream()
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    assert!(matches!(results[0], Err(Error::Http { status: 502, .. })));
}

#[tokio::test]
async fn reports_are_polled_to_completion_or_a_typed_error() {
    let (_sandbox, client) = sandbox_and_client().await;
    let v1 = client.v1();
    let fast = ReportPolling::default().first_delay(Duration::from_millis(5));
    let id = common::start_report(&client, 0).await;
    let report = v1.wait_for_report(id, fast.clone()).await.unwrap();
    assert_eq!(report.status_code, Some(4));
    assert!(report.data.is_some());
    for (kind, code) in [(97, 7), (98, 5), (99, 6)] {
        let id = common::start_report(&client, kind).await;
        let err = v1
            .wait_for_report(id.clone(), fast.clone())
            .await
            .unwrap_err();
        match err {
            Error::Report {
                status_code,
                report_id,
                ..
            } => {
                assert_eq!(status_code, Some(code));
                assert_eq!(report_id, id.to_string());
            }
            other => panic!("{other:?}"),
        }
    }
    let id = common::start_report(&client, 0).await;
    let err = v1
        .wait_for_report(id, fast.timeout(Duration::from_millis(1)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn audit_logs_page_by_cursor_and_their_page_start_counts_pages() {
    let (sandbox, client) = sandbox_and_client().await;
    let v2 = client.v2();
    // Every audit log, in the server's largest pages (the sandbox has more than two).
    let all: Vec<_> = v2
        .get_all_audit_logs()
        .page_size(1000)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.len() > 2000, "{} audit logs", all.len());
    // PageStart counts pages here: page 2 of 10 is records 10..20.
    let second = v2
        .get_all_audit_logs()
        .page_size(10)
        .page_start(2)
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .into_vec();
    assert_eq!(second, all[10..20].to_vec());
    // The stream follows NextPage through every page, each record once.
    let streamed: Vec<_> = v2
        .get_all_audit_logs()
        .page_size(10)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, all);
    let pages = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "getAllAuditLogs" && r.param("PageSize") == Some("10"))
        .count();
    assert_eq!(pages, 1 + all.len().div_ceil(10));
}

#[tokio::test]
async fn pages_raw_walks_any_method_by_name_like_the_typed_stream() {
    let sandbox = Sandbox::builder()
        .chats(400)
        .without_limits()
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    for version in [bold360_sdk::ApiVersion::V1, bold360_sdk::ApiVersion::V2] {
        let handle = client.with_version(version);
        // PageSize is documented for v1 only: the v2 walk uses the server's pages (1,000).
        let params = match version {
            bold360_sdk::ApiVersion::V1 => bold360_sdk::Params::new().with("PageSize", 500),
            bold360_sdk::ApiVersion::V2 => bold360_sdk::Params::new(),
        };
        let pages: Vec<_> = handle
            .pages_raw("getAllChatMessages", params)
            .try_collect()
            .await
            .unwrap();
        assert!(pages.len() >= 2, "{version}: {} pages", pages.len());
        let raw_ids: HashSet<String> = pages
            .iter()
            .flat_map(|p| p.data.iter().flatten())
            .map(|r| r["ChatMessageID"].to_string().trim_matches('"').to_owned())
            .collect();
        let typed: Vec<_> = match version {
            bold360_sdk::ApiVersion::V1 => client
                .v1()
                .get_all_chat_messages()
                .into_stream()
                .try_collect()
                .await
                .unwrap(),
            bold360_sdk::ApiVersion::V2 => client
                .v2()
                .get_all_chat_messages()
                .into_stream()
                .try_collect()
                .await
                .unwrap(),
        };
        let typed_ids: HashSet<String> = typed
            .iter()
            .map(|r| r.chat_message_id.as_ref().unwrap().as_str().to_owned())
            .collect();
        assert_eq!(raw_ids.len(), 1200, "{version}");
        assert_eq!(raw_ids, typed_ids, "{version}");
    }
    // A name the SDK does not know is one request.
    let before = sandbox.stats().requests;
    let pages: Vec<_> = client
        .pages_raw("getOperators2", bold360_sdk::Params::new())
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(sandbox.stats().requests, before + 1);
}

/// A sandbox of 700 chats (2,100 messages) without account limits, and a v1 client without a
/// limiter: the limiter could lower a page's size to fit the budget (`acquire_up_to`), and
/// these tests set page sizes themselves.
async fn seven_hundred_chats_unlimited() -> (Sandbox, bold360_sdk::Client) {
    let sandbox = Sandbox::builder()
        .chats(700)
        .without_limits()
        .start()
        .await
        .unwrap();
    let client = sandbox
        .client_builder()
        .limits(bold360_sdk::LimiterConfig::unlimited())
        .build()
        .unwrap()
        .with_version(bold360_sdk::ApiVersion::V1);
    (sandbox, client)
}

#[tokio::test]
async fn a_small_first_page_then_whole_pages_yields_every_record_once() {
    use bold360_sdk::paging::{PageWalker, PagedCall};
    use bold360_sdk::{methods, ApiVersion, Params};
    let (sandbox, client) = seven_hundred_chats_unlimited().await;
    let spec = methods::lookup("getAllChatMessages").unwrap();
    let walk = |params: Params, first: u64| {
        let client = client.clone();
        async move {
            let call = PagedCall::for_method(spec, ApiVersion::V1, &params);
            let mut walker = PageWalker::new(call, params).first_page(first);
            let mut pages = Vec::new();
            while let Some(page) = walker.next_page::<serde_json::Value>(&client).await {
                pages.push(page.unwrap().data.unwrap().into_vec());
            }
            pages
        }
    };
    let sizes = |pages: &[Vec<serde_json::Value>]| pages.iter().map(Vec::len).collect::<Vec<_>>();
    let whole = walk(Params::new(), 1000).await;
    assert_eq!(
        sizes(&whole),
        [1000, 1000, 100],
        "not fewer than a page: unchanged"
    );
    let small_first = walk(Params::new(), 100).await;
    assert_eq!(sizes(&small_first), [100, 1000, 1000]);
    assert_eq!(
        small_first.concat(),
        whole.concat(),
        "every record once, in order"
    );
    let asked: Vec<_> = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "getAllChatMessages")
        .skip(3)
        .map(|r| r.param("PageSize").map(str::to_owned))
        .collect();
    assert_eq!(
        asked,
        [Some("100".to_owned()), None, None],
        "the pages after the first ask for the server's whole page again"
    );
    // The caller's own page size comes back after the first page.
    let own = walk(Params::new().with("PageSize", 500), 100).await;
    assert_eq!(sizes(&own), [100, 500, 500, 500, 500]);
    assert_eq!(own.concat(), whole.concat());
    // A cursor walk cannot change its page size: v2 pages are whole.
    let v2 = client.with_version(ApiVersion::V2);
    let call = PagedCall::for_method(spec, ApiVersion::V2, &Params::new());
    let mut walker = PageWalker::new(call, Params::new()).first_page(100);
    let first = walker
        .next_page::<serde_json::Value>(&v2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.record_count(), 1000);
}

#[tokio::test]
async fn a_smaller_page_within_a_walk_then_whole_pages_yields_every_record_once() {
    use bold360_sdk::paging::{PageWalker, PagedCall};
    use bold360_sdk::{methods, ApiVersion, Params};
    let (_sandbox, client) = seven_hundred_chats_unlimited().await;
    let spec = methods::lookup("getAllChatMessages").unwrap();
    // The second page asks for `second` records (twice over: the later call wins); the rest
    // ask what the caller's parameters do.
    let walk = |params: Params, second: u64| {
        let client = client.clone();
        async move {
            let call = PagedCall::for_method(spec, ApiVersion::V1, &params);
            let mut walker = PageWalker::new(call, params);
            let mut pages = Vec::new();
            let mut smaller = Vec::new();
            while let Some(page) = walker.next_page::<serde_json::Value>(&client).await {
                pages.push(page.unwrap().data.unwrap().into_vec());
                if pages.len() == 1 {
                    smaller.push(walker.next_page_size(second + 7));
                    smaller.push(walker.next_page_size(second));
                }
            }
            (pages, smaller)
        }
    };
    let sizes = |pages: &[Vec<serde_json::Value>]| pages.iter().map(Vec::len).collect::<Vec<_>>();
    let (whole, smaller) = walk(Params::new(), 1000).await;
    assert_eq!(sizes(&whole), [1000, 1000, 100]);
    assert_eq!(smaller, [false, false], "not fewer than a page: unchanged");
    let (second_small, smaller) = walk(Params::new(), 300).await;
    assert_eq!(smaller, [true, true]);
    assert_eq!(sizes(&second_small), [1000, 300, 800]);
    assert_eq!(
        second_small.concat(),
        whole.concat(),
        "every record once, in order"
    );
    // The caller's own page size comes back after the smaller page.
    let (own, _) = walk(Params::new().with("PageSize", 500), 300).await;
    assert_eq!(sizes(&own), [500, 300, 500, 500, 300]);
    assert_eq!(own.concat(), whole.concat());
    // Once the walk is over there is no next page to size.
    let call = PagedCall::for_method(spec, ApiVersion::V1, &Params::new());
    let mut walker = PageWalker::new(call, Params::new().with("PageSize", 1000));
    while let Some(page) = walker.next_page::<serde_json::Value>(&client).await {
        page.unwrap();
    }
    assert!(!walker.next_page_size(10));
}
