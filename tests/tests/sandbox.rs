//! The sandbox's own behaviour: every method in the manifest is served as the manifest says,
//! writes change what reads return, reports progress, and field order varies.

mod common;

use bold360_sdk::ids::{ChatId, DepartmentId, OperatorId};
use bold360_sdk::methods::{get_login_activity, set_operator_availability};
use bold360_sdk::{signing, ApiVersion, Error, Params};
use common::sandbox_and_client;
use serde_json::Value;

/// A plausible value for a required parameter.
fn value_for(p: &bold360_api_spec::Param, ids: &Ids, call: usize) -> String {
    use bold360_api_spec::TypeRef;
    let (name, ty) = (p.name.as_str(), &p.ty);
    match (name, ty) {
        ("ChatID", _) => ids.chat.clone(),
        ("FolderID", _) => ids.folder.clone(),
        ("DepartmentID" | "Department ID", _) => ids.department.clone(),
        ("OperatorID" | "TemplateOperatorID", _) => ids.operator.clone(),
        ("Email", _) => "new.agent@example.com".into(),
        ("UserName", _) => format!("new.agent.{call}"),
        ("Type", _) => "System".into(),
        ("ReportID", _) => ids.report.clone(),
        (_, TypeRef::Id) => ids
            .seeded(&p.id_entity().unwrap_or_default())
            .unwrap_or_else(|| "1".into()),
        (_, TypeRef::Integer) => "1".into(),
        (_, TypeRef::Enum(_)) => "1".into(),
        (_, TypeRef::Boolean) => "true".into(),
        (_, TypeRef::Datetime) => "2024-01-01T00:00:00Z".into(),
        _ => "text".into(),
    }
}

struct Ids {
    chat: String,
    folder: String,
    department: String,
    operator: String,
    report: String,
    /// `Sandbox::seeded_ids` by entity, for single-item methods of other entities.
    seeded: Vec<(String, Vec<String>)>,
}

impl Ids {
    fn seeded(&self, entity: &str) -> Option<String> {
        self.seeded
            .iter()
            .find(|(e, _)| e == entity)
            .and_then(|(_, ids)| ids.first().cloned())
    }
}

#[tokio::test]
async fn every_method_in_the_manifest_is_served_in_each_of_its_versions() {
    let (sandbox, client) = sandbox_and_client().await;
    let operators = client
        .v1()
        .get_operators()
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    let folder = common::first_chat_folder(&client).await;
    let chats = client
        .v1()
        .get_inactive_chats(folder.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    let ids = Ids {
        chat: chats[0].chat_id.clone().unwrap().to_string(),
        folder: folder.to_string(),
        department: operators[0].department_id.clone().unwrap().to_string(),
        operator: operators[0].login_id.clone().unwrap().to_string(),
        report: common::start_report(&client, 0).await.to_string(),
        seeded: ["visit", "contact", "text_chat"]
            .iter()
            .map(|e| (e.to_string(), sandbox.seeded_ids(e)))
            .collect(),
    };
    let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    let mut calls = 0;
    for method in &manifest.methods {
        for version in &method.versions {
            let api = if *version == bold360_api_spec::Version::V1 {
                ApiVersion::V1
            } else {
                ApiVersion::V2
            };
            let mut params = Params::new();
            for p in method
                .params
                .iter()
                .filter(|p| p.required && p.versions.contains(version))
            {
                params.set(p.name.clone(), value_for(p, &ids, calls));
            }
            for c in &method.constraints {
                if let bold360_api_spec::Constraint::ExactlyOneOf(names) = c {
                    params.set(names[0].clone(), "1");
                }
            }
            let envelope = client
                .with_version(api)
                .call_raw(&method.name, params)
                .await
                .unwrap_or_else(|e| panic!("{} {}: {e}", method.name, version.as_str()));
            let shape_ok = match method.data {
                bold360_api_spec::DataShape::Array => {
                    matches!(envelope.data, Some(Value::Array(_)))
                }
                bold360_api_spec::DataShape::Object => {
                    matches!(envelope.data, Some(Value::Object(_))) || method.name == "getReport"
                }
                bold360_api_spec::DataShape::None => envelope.data.is_none(),
            };
            assert!(
                shape_ok,
                "{} {}: Data {:?}",
                method.name,
                version.as_str(),
                envelope.data
            );
            calls += 1;
        }
    }
    assert!(calls >= 66, "37 methods, most in both versions: {calls}");
}

/// The sandbox's own answer to a signed GET, sent without the SDK's pipeline (which refuses
/// most of these calls before sending): the envelope's `Message`.
async fn served_message(
    sandbox: &bold360_sdk::sandbox::Sandbox,
    version: &str,
    method: &str,
    params: &[(&str, &str)],
) -> String {
    let credentials = sandbox.credentials();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let token = signing::sign(credentials, now);
    let mut url = bold360_sdk::reqwest::Url::parse(&format!(
        "{}/aid/{}/data/rest/json/{version}/{method}",
        sandbox.base_url(),
        credentials.account_id()
    ))
    .unwrap();
    url.query_pairs_mut()
        .append_pair("auth", token.expose_secret())
        .extend_pairs(params);
    let text = bold360_sdk::reqwest::get(url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["Status"], "error", "{body}");
    body["Message"].as_str().unwrap().to_owned()
}

/// One rule for "is this parameter set" and one for "is this an ID", shared by the SDK and the
/// sandbox: an empty or blank value is not set (the vendor's pages give it no meaning), and a
/// malformed ID is refused naming the parameter, by the SDK's `Id::parse`.
#[tokio::test]
async fn empty_values_and_malformed_ids_are_judged_as_the_sdk_judges_them() {
    let (sandbox, client) = sandbox_and_client().await;
    for empty in ["", "  "] {
        assert_eq!(
            served_message(&sandbox, "v1", "getChat", &[("ChatID", empty)]).await,
            "Missing ChatID",
            "{empty:?} is not a value"
        );
        let before = sandbox.requests().len();
        let err = client
            .call_raw("getChat", Params::new().with("ChatID", empty))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "ChatID"),
            "{err}"
        );
        assert_eq!(sandbox.requests().len(), before, "the SDK sent nothing");
    }
    // All-or-none counts an empty value as not set, in both.
    let half = [("FromDate", "2024-01-01T00:00:00Z"), ("ToDate", "")];
    let served = served_message(&sandbox, "v2", "getAllAuditLogs", &half).await;
    assert!(served.contains("ToDate is missing"), "{served}");
    let err = client
        .with_version(ApiVersion::V2)
        .call_raw("getAllAuditLogs", half)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ToDate is missing"), "{err}");
    // A malformed ID: an error naming the parameter, not an empty folder.
    for bad in ["X", "-1", "1.5", "18446744073709551616"] {
        let message =
            served_message(&sandbox, "v1", "getInactiveChats", &[("FolderID", bad)]).await;
        assert!(
            message.starts_with("Invalid FolderID: "),
            "{bad}: {message}"
        );
    }
    // The text `null` is a value (getSetupFolders gives it a meaning), not an absence.
    let message = served_message(&sandbox, "v1", "getChat", &[("ChatID", "null")]).await;
    assert!(message.starts_with("Invalid ChatID: "), "{message}");
}

#[tokio::test]
async fn the_protocol_is_checked_as_the_service_does() {
    let (sandbox, client) = sandbox_and_client().await;
    assert_eq!(
        served_message(&sandbox, "v1", "getLoginActivity", &[]).await,
        "Missing ServiceTypeID"
    );
    assert_eq!(
        served_message(&sandbox, "v2", "getInactiveChats", &[("FolderID", "1")]).await,
        "Method getInactiveChats is not available in v2"
    );
    assert_eq!(
        served_message(&sandbox, "v1", "getEverything", &[]).await,
        "Unknown method getEverything"
    );
    let availability = [
        ("OperatorID", "1"),
        ("ServiceTypeID", "1"),
        ("ClientID", "1"),
    ];
    assert_eq!(
        served_message(&sandbox, "v1", "setOperatorAvailability", &availability).await,
        "exactly one of StatusType, CustomOperatorStatusID must be set; none is set"
    );
    // The SDK refuses the calls the manifest rules out before sending them.
    let before = sandbox.requests().len();
    let err = client
        .call_raw("getLoginActivity", Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { parameter: Some(p), .. } if p == "ServiceTypeID"),
        "{err}"
    );
    let err = client
        .call_raw("setOperatorAvailability", availability)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("exactly one of StatusType"),
        "{err}"
    );
    assert_eq!(sandbox.requests().len(), before, "nothing was sent");
    // A name the manifest does not know goes to the server, which answers for it.
    let err = client
        .call_raw("getEverything", Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err}");
    // The vendor's alias answers too.
    client
        .with_version(ApiVersion::V2)
        .call_raw("getAllAccessAuditLogs", Params::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn synthetic_data_is_related_filtered_and_paged_by_the_manifest() {
    let (_sandbox, client) = sandbox_and_client().await;
    let v2 = client.v2();
    let chats_service = get_login_activity::ServiceType::Chats;
    let page = v2
        .get_login_activity(chats_service.clone())
        .send()
        .await
        .unwrap();
    let records = page.data.unwrap();
    assert!(!records.is_empty());
    assert!(
        records
            .iter()
            .all(|r| r.service_type_id == Some(chats_service.clone())),
        "the filter applies"
    );
    let operators: Vec<OperatorId> = client
        .v1()
        .get_operators()
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .into_iter()
        .filter_map(|o| o.login_id)
        .collect();
    assert!(
        records.iter().all(|r| r
            .operator_id
            .as_ref()
            .is_some_and(|id| operators.contains(id))),
        "OperatorID points at real agents"
    );
    let assignments = client.v2().get_all_chat_assignments().send().await.unwrap();
    let assignments = assignments.data.unwrap();
    assert!(
        assignments
            .iter()
            .any(|a| a.extra.contains_key("SandboxExtra")),
        "some records carry unlisted fields"
    );
    // v1 offset paging on synthetic data, with the page size asked.
    let first = client
        .v1()
        .get_all_chat_assignments()
        .page_size(25)
        .send()
        .await
        .unwrap();
    assert_eq!(first.record_count(), 25);
    assert_eq!(first.truncated, Some(true));
    assert_eq!(first.next.unwrap().get("PageStart"), Some(&Value::from(25)));
}

#[tokio::test]
async fn writes_change_what_reads_return() {
    let (_sandbox, client) = sandbox_and_client().await;
    let v1 = client.v1();
    let agents = v1.get_operators().send().await.unwrap().data.unwrap();
    let agent: OperatorId = agents[0].login_id.clone().unwrap();

    v1.edit_operator(agent.clone())
        .chat_name("Ada L.")
        .departments(r#"[{"DepartmentID":"5","Priority":1}]"#)
        .send()
        .await
        .unwrap();
    let edited = v1
        .get_operator(agent.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(edited.chat_name.as_deref(), Some("Ada L."));
    assert_eq!(
        edited.departments,
        Some(serde_json::json!([{"DepartmentID": "5", "Priority": 1}]))
    );

    let created = v1
        .create_operator_from_template(
            1u64,
            "grace.h",
            "Grace Hopper II",
            "pw",
            "grace2@example.com",
        )
        .param("TemplateOperatorID", agent.as_str())
        .send()
        .await
        .unwrap();
    let new_id = created.data.unwrap().login_id.unwrap();
    let after = v1.get_operators().send().await.unwrap().data.unwrap();
    assert_eq!(after.len(), agents.len() + 1);
    assert_eq!(
        v1.get_operator(new_id)
            .send()
            .await
            .unwrap()
            .data
            .unwrap()
            .name
            .as_deref(),
        Some("Grace Hopper II")
    );

    v1.set_operator_availability(
        agent.clone(),
        set_operator_availability::ServiceType::Chats,
        7u64,
    )
    .status_type(set_operator_availability::StatusType::LoggedInAsAvailable)
    .send()
    .await
    .unwrap();
    let availability = v1
        .get_operator_availability(
            bold360_sdk::methods::get_operator_availability::ServiceType::Chats,
        )
        .operator_id(agent.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(availability.len(), 1);
    assert_eq!(
        availability[0].status_type,
        Some(bold360_sdk::methods::get_operator_availability::StatusType::LoggedInAvailable)
    );

    let chat: ChatId = v1
        .get_inactive_chats(common::first_chat_folder(&client).await)
        .send()
        .await
        .unwrap()
        .data
        .unwrap()[0]
        .chat_id
        .clone()
        .unwrap();
    let department: DepartmentId = v1
        .get_operator(agent.clone())
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .department_id
        .unwrap();
    v1.assign_chat(chat.clone())
        .operator_id(agent.clone())
        .department_id(department.clone())
        .send()
        .await
        .unwrap();
    v1.update_chat(chat.clone())
        .chat_name("Renamed visitor")
        .send()
        .await
        .unwrap();
    let changed = v1.get_chat(chat).send().await.unwrap().data.unwrap();
    assert_eq!(changed.operator_id.as_ref(), Some(&agent));
    assert_eq!(
        changed.chat_name.as_ref(),
        Some(&"Renamed visitor".to_owned())
    );
}

#[tokio::test]
async fn reports_run_then_complete_or_fail() {
    let (_sandbox, client) = sandbox_and_client().await;
    let v1 = client.v1();
    let id = common::start_report(&client, 0).await;
    let codes: Vec<Option<i64>> = {
        let mut codes = Vec::new();
        for _ in 0..3 {
            codes.push(v1.get_report(id.clone()).send().await.unwrap().status_code);
        }
        codes
    };
    assert_eq!(codes, [Some(0), Some(1), Some(4)]);
    let failing = common::start_report(&client, 99).await;
    for _ in 0..2 {
        v1.get_report(failing.clone()).send().await.unwrap();
    }
    assert_eq!(
        v1.get_report(failing).send().await.unwrap().status_code,
        Some(6)
    );
}

#[tokio::test]
async fn field_order_varies_between_responses() {
    let (sandbox, _client) = sandbox_and_client().await;
    let http = reqwest::Client::new();
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let token = signing::sign(sandbox.credentials(), signing_now());
        let url = format!(
            "{}/aid/100001/data/rest/json/v1/getOperators?auth={}",
            sandbox.base_url(),
            token.expose_secret().replace(':', "%3A")
        );
        bodies.push(http.get(url).send().await.unwrap().text().await.unwrap());
    }
    assert_ne!(bodies[0], bodies[1], "the same answer, written differently");
    let a: Value = serde_json::from_str(&bodies[0]).unwrap();
    let b: Value = serde_json::from_str(&bodies[1]).unwrap();
    assert_eq!(a, b);
}

fn signing_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Someone trying the SDK against the sandbox as it starts (`Sandbox::start()`, `bold360
/// sandbox`) sees paging: every paged method spans several of the server's pages, with the
/// server's own page size, in each version it pages in. (getAllInvitations is the exception
/// the docs force: they give it no page cap, so the sandbox serves it in one page.)
#[tokio::test]
async fn the_default_data_spans_several_pages_of_every_paged_method_in_both_versions() {
    use futures_util::TryStreamExt;
    let sandbox = bold360_sdk::sandbox::Sandbox::builder()
        .without_limits()
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let folder = common::first_chat_folder(&client).await;
    let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    let mut walked = Vec::new();
    for method in manifest.methods.iter().filter(|m| m.paging.is_some()) {
        for version in &method.versions {
            if method.paging_for(*version).is_none() || method.max_page_size.is_none() {
                continue;
            }
            let api = match version {
                bold360_api_spec::Version::V1 => ApiVersion::V1,
                bold360_api_spec::Version::V2 => ApiVersion::V2,
            };
            let mut params = Params::new();
            for p in method
                .params
                .iter()
                .filter(|p| p.required && p.versions.contains(version))
            {
                let value = match (&p.name[..], &p.ty) {
                    ("FolderID", _) => folder.to_string(),
                    (_, bold360_api_spec::TypeRef::Enum(_)) => "1".to_owned(),
                    _ => panic!("{}: no value for {}", method.name, p.name),
                };
                params.set(p.name.as_str(), value);
            }
            let pages: Vec<_> = client
                .with_version(api)
                .pages_raw(&method.name, params)
                .try_collect()
                .await
                .unwrap_or_else(|e| panic!("{} {api}: {e}", method.name));
            assert!(
                pages.len() >= 2,
                "{} in {api}: {} page(s) by default",
                method.name,
                pages.len()
            );
            walked.push(format!("{} {api}", method.name));
        }
    }
    assert!(walked.len() >= 13, "{walked:?}");
}

#[tokio::test]
async fn a_chat_moved_to_another_folder_leaves_one_list_of_closed_chats_for_the_other() {
    use bold360_sdk::methods::get_folders::FolderType;
    let sandbox = bold360_sdk::sandbox::Sandbox::builder()
        .chats(60)
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let v1 = client.v1();
    let folders: Vec<_> = v1
        .get_folders()
        .folder_type(FolderType::Chats)
        .send()
        .await
        .unwrap()
        .data
        .unwrap()
        .into_vec()
        .into_iter()
        .filter_map(|f| f.folder_id)
        .collect();
    let [from, to] = &folders[..] else {
        panic!("two chat folders: {folders:?}")
    };
    let closed = |folder: bold360_sdk::ids::FolderId| {
        let v1 = v1.clone();
        async move {
            v1.get_inactive_chats(folder)
                .send()
                .await
                .unwrap()
                .data
                .unwrap()
                .into_vec()
        }
    };
    let before_from = closed(from.clone()).await;
    let before_to = closed(to.clone()).await;
    assert_eq!((before_from.len(), before_to.len()), (30, 30));
    let moved = before_from[7].chat_id.clone().unwrap();
    v1.assign_chat(moved.clone())
        .folder_id(to.clone())
        .send()
        .await
        .unwrap();
    let after_from = closed(from.clone()).await;
    let after_to = closed(to.clone()).await;
    assert_eq!((after_from.len(), after_to.len()), (29, 31));
    assert!(after_from
        .iter()
        .all(|c| c.chat_id.as_ref() != Some(&moved)));
    assert!(after_to.iter().any(|c| c.chat_id.as_ref() == Some(&moved)));
    let order: Vec<_> = after_to
        .iter()
        .map(|c| (c.ended, c.chat_id.clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "in (Ended, ChatID) order");
}
