//! The `bold360` command line: every subcommand and exit code, against the sandbox.

mod common;

use common::{against, cli_sandbox, command, run, text, workspace};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::trigger::{encode_uri_component, TriggerFields, TriggerVerifier};
use bold360_sdk::{ApiVersion, Client, ClientBuilder, ExposeSecret};
use serde_json::Value;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bold360-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("out.jsonl")
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_lists_and_shows() {
    let out = run({
        let mut c = command();
        c.arg("methods");
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    assert!(listing.lines().count() >= 30, "{listing}");
    assert!(listing.contains("getInactiveChats") && listing.contains("v1 offset"));
    let out = run({
        let mut c = command();
        c.args(["methods", "getAllAccessAuditLogs"]);
        c
    })
    .await;
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("getAllAuditLogs"),
        "aliases resolve: {shown}"
    );
    assert!(shown.contains("NextPage") && shown.contains("v2 cursor"));
    let out = run({
        let mut c = command();
        c.args(["methods", "getChats"]);
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean getChat?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_prints_json_and_exit_codes_say_what_failed() {
    let sandbox = Sandbox::start().await.unwrap();
    let out = run({
        let mut c = against(&sandbox);
        c.args(["call", "getOperator", "OperatorID=9007199254740996"]);
        c
    })
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["Data"]["LoginID"], "9007199254740996");

    let cases: [(&[&str], bool, i32, &str); 5] = [
        (&["call", "getChat", "ChatID=1"], true, 3, "Invalid ChatID"),
        (&["call", "getChat", "ChatID"], true, 2, "is not Name=Value"),
        (
            &["call", "getChat", "ChatID=1", "--api", "v3"],
            true,
            2,
            "invalid value",
        ),
        (&["call", "getOperators"], false, 2, "BOLD360_ACCOUNT_ID"),
        (&["frobnicate"], true, 2, "unrecognized subcommand"),
    ];
    for (args, configured, code, message) in cases {
        let mut c = if configured {
            against(&sandbox)
        } else {
            command()
        };
        c.args(args);
        let out = run(c).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // The manifest's rules are checked before anything is sent, by the same pipeline stage
    // as every typed call: a half date window, a missing required parameter.
    let before = sandbox.requests().len();
    for (args, parameter) in [
        (
            &[
                "call",
                "getAllAuditLogs",
                "FromDate=2024-01-01T00:00:00Z",
                "--api",
                "v2",
            ][..],
            "\"ToDate\"",
        ),
        (&["call", "getLoginActivity"][..], "\"ServiceTypeID\""),
    ] {
        let mut c = against(&sandbox);
        c.args(args);
        let out = run(c).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(parameter), "{args:?}: {stderr}");
    }
    assert_eq!(sandbox.requests().len(), before, "refused before sending");
    let mut c = against(&sandbox);
    c.env("BOLD360_ENDPOINT", "http://127.0.0.1:9")
        .args(["call", "getOperators"]);
    let out = run(c).await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "a network error: {}",
        text(&out.stderr)
    );
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains(sandbox.credentials().api_key().expose_secret()));
}

/// What the manifest already knows is wrong is refused before anything is sent, as a usage
/// error (exit 2) naming the method, the parameter, the value and what was expected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_refuses_what_the_manifest_knows_is_wrong_and_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["call", "getChat", "ChatID=notanumber"],
            &["getChat", "\"ChatID\"", "\"notanumber\"", "an ID"],
        ),
        (
            &["call", "getAllChatMessages", "PageSize=abc"],
            &["\"PageSize\"", "\"abc\"", "a count"],
        ),
        (
            &["call", "getAllChatMessages", "FromDate=yesterday"],
            &[
                "\"FromDate\"",
                "\"yesterday\"",
                "ISO 8601",
                "2024-05-01T10:00:00Z",
            ],
        ),
        (
            &["call", "getInactiveChats", "FolderID=1", "--api", "v2"],
            &["getInactiveChats is not documented in v2 (only in v1)"],
        ),
        (
            &["call", "getAllChatMessages", "PageSize=-1", "--api", "v2"],
            &[
                "\"PageSize\"",
                "not a parameter of getAllChatMessages in v2 (only in v1)",
            ],
        ),
        (
            &["call", "getChat", "ChatID=1", "Bogus=1"],
            &["\"Bogus\"", "documented: ChatID", "--raw"],
        ),
        (&["call", "getChat", "ChatId=1"], &["did you mean ChatID?"]),
        (
            &["call", "getchat", "ChatID=1"],
            &["getchat: no such method; did you mean getChat?", "--raw"],
        ),
    ];
    for (args, said) in cases {
        let mut c = against(&sandbox);
        c.args(args);
        let out = run(c).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        for part in said {
            assert!(
                stderr.contains(part),
                "{args:?} should say {part}: {stderr}"
            );
        }
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");

    // --raw sends names as given: the server answers for them.
    let mut c = against(&sandbox);
    c.args(["call", "getchat", "ChatID=1", "--raw"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let mut c = against(&sandbox);
    c.args(["call", "getOperators", "Bogus=1", "--raw"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(sandbox.requests().last().unwrap().param("Bogus"), Some("1"));
    // --raw does not skip the value checks of documented parameters.
    let before = sandbox.requests().len();
    let mut c = against(&sandbox);
    c.args(["call", "getChat", "ChatID=x", "--raw"]);
    assert_eq!(run(c).await.status.code(), Some(2));
    assert_eq!(sandbox.requests().len(), before);

    // Other accepted forms are sent as typed calls send them: an enum by name, a date.
    let mut c = against(&sandbox);
    c.args(["call", "getOperatorAvailability", "ServiceTypeID=chats"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        sandbox.requests().last().unwrap().param("ServiceTypeID"),
        Some("1")
    );
    let mut c = against(&sandbox);
    c.args(["call", "getAllChatMessages", "FromDate=2024-05-01"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        sandbox.requests().last().unwrap().param("FromDate"),
        Some("2024-05-01T00:00:00Z")
    );
}

/// The records of getAllChatMessages as the server sends them, read with `call_raw`.
async fn expected(client: &Client, version: ApiVersion) -> Vec<Value> {
    let client = client.with_version(version);
    let mut params = bold360_sdk::Params::new().with("FromDate", "2024-01-01T00:00:00Z");
    if version == ApiVersion::V1 {
        params.set("PageSize", 1000);
    }
    let mut records = Vec::new();
    loop {
        let page = client
            .call_raw("getAllChatMessages", params.clone())
            .await
            .unwrap();
        if let Some(Value::Array(items)) = page.data {
            records.extend(items);
        }
        match (page.next, page.next_page) {
            (Some(next), _) => next.to_params().iter().for_each(|(k, v)| {
                params.set(k, v);
            }),
            (None, Some(cursor)) => {
                params.set("NextPage", cursor);
            }
            (None, None) => return records,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_exactly_the_servers_records_in_v1_and_v2() {
    let sandbox = Sandbox::builder()
        .chats(700)
        .without_limits()
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    for (version, args) in [
        (ApiVersion::V1, vec!["--api", "v1", "PageSize=300"]),
        (ApiVersion::V2, vec!["--api", "v2"]),
    ] {
        let out_file = temp(&format!("exact-{version}"));
        let mut c = against(&sandbox);
        c.args([
            "export",
            "getAllChatMessages",
            "FromDate=2024-01-01T00:00:00Z",
            "--out",
        ])
        .arg(&out_file)
        .args(&args);
        let out = run(c).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let got = lines(&out_file);
        let want = expected(&client, version).await;
        assert_eq!(got.len(), 2100);
        assert_eq!(
            got, want,
            "{version}: the same records, every field, in order"
        );
    }
    let exports: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.param("FromDate").is_some())
        .collect();
    assert!(
        exports.len() >= 9,
        "every page of both exports carried the filter: {}",
        exports.len()
    );
    assert!(exports
        .iter()
        .all(|r| r.param("FromDate") == Some("2024-01-01T00:00:00Z")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_export_resumes_without_gap_or_duplicate() {
    let sandbox = Sandbox::builder()
        .chats(700)
        .without_limits()
        .latency(Duration::from_millis(120))
        .start()
        .await
        .unwrap();
    let out_file = temp("resume");
    let checkpoint = PathBuf::from(format!("{}.checkpoint", out_file.display()));
    let args = [
        "export",
        "getAllChatMessages",
        "PageSize=100",
        "--api",
        "v1",
        "--out",
    ];
    let mut c = against(&sandbox);
    c.args(args)
        .arg(&out_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let started = Instant::now();
    loop {
        let pages = std::fs::read(&checkpoint)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["pages"].as_u64())
            .unwrap_or(0);
        if pages >= 4 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the export made no progress"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    let _ = child.wait();
    // A torn write after the last checkpoint: it must not survive the resume.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out_file)
        .unwrap()
        .write_all(b"{\"ChatMessageID\":\"torn")
        .unwrap();

    // Resuming with other parameters is refused.
    let mut c = against(&sandbox);
    c.args([
        "export",
        "getAllChatMessages",
        "PageSize=50",
        "--api",
        "v1",
        "--out",
    ])
    .arg(&out_file)
    .arg("--resume");
    assert_eq!(run(c).await.status.code(), Some(2));
    // Starting over onto an existing file is refused.
    let mut c = against(&sandbox);
    c.args(args).arg(&out_file);
    assert_eq!(run(c).await.status.code(), Some(2));

    let mut c = against(&sandbox);
    c.args(args).arg(&out_file).arg("--resume");
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let got: Vec<String> = lines(&out_file)
        .iter()
        .map(|v| v["ChatMessageID"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = expected(&sandbox.client().unwrap(), ApiVersion::V1)
        .await
        .iter()
        .map(|v| v["ChatMessageID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, want, "no gap, no duplicate, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_and_rust_log_show_calls_on_stderr_without_secrets() {
    let sandbox = Sandbox::start().await.unwrap();
    let key = sandbox.credentials().api_key().expose_secret().to_owned();
    let quiet = run({
        let mut c = against(&sandbox);
        c.args(["call", "getOperators"]);
        c
    })
    .await;
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "", "no log output unless asked");
    for (flag, rust_log) in [(Some("-v"), None), (None, Some("bold360_sdk=debug"))] {
        let out = run({
            let mut c = against(&sandbox);
            c.args(["call", "getOperators"]).args(flag);
            if let Some(spec) = rust_log {
                c.env("RUST_LOG", spec);
            }
            c
        })
        .await;
        assert_eq!(out.status.code(), Some(0));
        let log = text(&out.stderr);
        assert!(
            log.contains("call succeeded"),
            "{flag:?} {rust_log:?}: {log}"
        );
        assert!(log.contains("method=\"getOperators\""), "{log}");
        assert!(!log.contains(&key), "the key never appears in the log");
        assert!(!log.contains("auth="), "the token never appears in the log");
    }
}

/// Three `bold360 export` processes at once against one sandbox with the documented limits
/// (1,000-record pages, 3,000 records each): returns the sandbox's counters.
async fn three_exports(limiter_url: Option<&str>) -> bold360_sdk::sandbox::SandboxStats {
    let sandbox = Sandbox::builder().chats(1000).start().await.unwrap();
    let mut children = Vec::new();
    for i in 0..3 {
        let out = temp(&format!("shared-{i}-{}", limiter_url.is_some()));
        let mut c = against(&sandbox);
        c.args(["export", "getAllChatMessages", "--api", "v2", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(url) = limiter_url {
            c.env("BOLD360_LIMITER_URL", url);
        }
        children.push((c.spawn().unwrap(), out));
    }
    for (child, out) in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(lines(&out).len(), 3000);
    }
    sandbox.stats()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_limiter_url_stay_inside_the_account_limits() {
    let redis = bold360_sdk::sandbox::LocalRedis::start()
        .await
        .unwrap_or_else(|e| panic!("this test needs a real redis-server: {e}"));
    let shared = three_exports(Some(&redis.url())).await;
    assert_eq!(
        (shared.waits, shared.refusals),
        (0, 0),
        "one budget for three processes: the server never held a page"
    );
    // The same three without the shared budget spend 6,000 records in the first second.
    let separate = three_exports(None).await;
    assert!(separate.waits > 0, "{separate:?}");
}

/// Starts `bold360 sandbox --port 0 <extra>` and reads the variables it prints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_prints_a_working_configuration() {
    let (mut child, vars, _) = cli_sandbox(&[]).await;
    // The printed variables are exactly what `from_env` reads.
    let client = ClientBuilder::from_lookup(|name| vars.get(name).cloned())
        .unwrap()
        .build()
        .unwrap();
    let operators = client.v1().get_operators().send().await;
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(operators.unwrap().record_count(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_says_at_ctrl_c_what_it_held_and_refused() {
    let mut child = command()
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let vars = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut vars = std::collections::HashMap::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                vars.insert(k.to_owned(), v.to_owned());
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        vars
    })
    .await
    .unwrap();
    let client = ClientBuilder::from_lookup(|name| vars.get(name).cloned())
        .unwrap()
        .build()
        .unwrap();
    let operators = client.v1().get_operators().send().await.unwrap();
    assert_eq!(operators.record_count(), 6);
    let pid = child.id().to_string();
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "bold360 sandbox: stopped after 1 requests and 6 records served; \
         0 held for the account's limits, 0 refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_latency_delays_every_response() {
    let (mut child, vars, _) = cli_sandbox(&["--latency", "150ms"]).await;
    let client = ClientBuilder::from_lookup(|name| vars.get(name).cloned())
        .unwrap()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let operators = client.v1().get_operators().send().await;
    let took = started.elapsed();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(operators.unwrap().record_count(), 6);
    assert!(took >= std::time::Duration::from_millis(150), "{took:?}");

    for bad in ["150", "-1ms", "fast", "100s"] {
        let out = run({
            let mut c = command();
            c.args(["sandbox", "--port", "0", &format!("--latency={bad}")]);
            c
        })
        .await;
        assert_eq!(out.status.code(), Some(2), "--latency {bad}");
        assert!(
            text(&out.stderr).contains("latency"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_trigger_exits_0_when_valid_and_1_when_not() {
    let url = "https://hooks.example.com/chat?tenant=acme";
    let mut fields = TriggerFields::from_form(b"ChatID=1&Name=jane+doe&signed=ChatID%26Name");
    let signature = TriggerVerifier::new("hook-key").sign(url, &fields).unwrap();
    fields.insert("signature", signature.clone());
    fields.insert("Injected", "not signed");
    let form: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&");
    let body = temp("trigger").with_extension("txt");
    std::fs::write(&body, &form).unwrap();

    let mut c = command();
    c.env("BOLD360_TRIGGER_KEY", "hook-key")
        .args(["verify-trigger", "--url", url, "--body"])
        .arg(&body);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(
        printed,
        serde_json::json!({
            "ChatID": "1", "Name": "jane doe", "signed": "ChatID&Name", "signature": signature
        }),
        "the verified fields only, as one JSON object"
    );
    assert_eq!(text(&out.stdout).lines().count(), 1);

    // The API key is the fallback, JSON bodies work, and stdin is the default.
    let json = serde_json::to_string(&fields.iter().collect::<std::collections::BTreeMap<_, _>>())
        .unwrap();
    let mut c = command();
    c.env("BOLD360_API_KEY", "hook-key")
        .args(["verify-trigger", "--url", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(0));

    let mut c = command();
    c.env("BOLD360_TRIGGER_KEY", "other-key")
        .args(["verify-trigger", "--url", url, "--body"])
        .arg(&body);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("invalid: trigger signature does not match"),
        "{}",
        text(&out.stderr)
    );

    let mut c = command();
    c.args(["verify-trigger", "--url", url, "--body"])
        .arg(&body);
    assert_eq!(run(c).await.status.code(), Some(2), "no key configured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_trigger_accepts_every_signature_form_of_the_independent_vectors() {
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("tests/fixtures/trigger-vectors.json")).unwrap(),
    )
    .unwrap();
    let all = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .chain(vectors["other_forms"]["vectors"].as_array().unwrap());
    let mut checked = 0;
    for vector in all {
        let fields = vector["body"].as_object().unwrap();
        // Posted as Bold360 posts it: form-encoded.
        let form: String = fields
            .iter()
            .map(|(k, v)| {
                let v = v.as_str().unwrap();
                format!("{}={}", encode_uri_component(k), encode_uri_component(v))
            })
            .collect::<Vec<_>>()
            .join("&");
        let url = vector["trigger_url"].as_str().unwrap();
        let key = vector["api_key"].as_str().unwrap();
        for (body, expect) in [
            (form.clone(), 0),
            (form.replacen("ChatID=", "ChatID=9", 1), 1),
            (form.replacen("LoginID=", "LoginID=9", 1), 1),
        ] {
            if expect == 1 && body == form {
                continue;
            }
            let path = temp("trigger-forms").with_extension("txt");
            std::fs::write(&path, &body).unwrap();
            let mut c = command();
            c.env("BOLD360_TRIGGER_KEY", key)
                .args(["verify-trigger", "--url", url, "--body"])
                .arg(&path);
            let out = run(c).await;
            assert_eq!(
                out.status.code(),
                Some(expect),
                "{} {url}: {}",
                vector["form"],
                text(&out.stderr)
            );
            checked += 1;
        }
    }
    assert_eq!(
        checked, 14,
        "7 vectors, each verified and each refused once changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_sends_methods_known_by_name_and_update_chat_families() {
    let sandbox = Sandbox::start().await.unwrap();
    // The vendor demo's first call: known by name only, sent, with a one-line note.
    let mut c = against(&sandbox);
    c.args(["call", "getDepartments"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("getDepartments: no page documents this method"),
        "{}",
        text(&out.stderr)
    );
    let answer: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert!(answer["Data"][0]["DepartmentID"].is_string(), "{answer}");
    // A near miss of a known name is refused with it as the suggestion, and nothing is sent.
    let sent = sandbox.requests().len();
    let mut c = against(&sandbox);
    c.args(["call", "getdepartments"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean getDepartments?"),
        "{}",
        text(&out.stderr)
    );
    // A name on neither list stays refused as before.
    let mut c = against(&sandbox);
    c.args(["call", "getDepartmentz"]);
    assert_eq!(run(c).await.status.code(), Some(2));
    assert_eq!(sandbox.requests().len(), sent, "nothing more was sent");

    // updateChat: a listed field and a CustomFields.<name> are documented, so sent.
    let chat = sandbox.client().unwrap();
    let folders = chat
        .call_raw(
            "getFolders",
            bold360_sdk::Params::new().with("FolderType", "5"),
        )
        .await
        .unwrap();
    let folder = folders.data.unwrap()[0]["FolderID"]
        .as_str()
        .unwrap()
        .to_owned();
    let chats = chat
        .call_raw(
            "getInactiveChats",
            bold360_sdk::Params::new().with("FolderID", folder.as_str()),
        )
        .await
        .unwrap();
    let chat_id = chats.data.unwrap()[0]["ChatID"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut c = against(&sandbox);
    c.args([
        "call",
        "updateChat",
        &format!("ChatID={chat_id}"),
        "CustomFields.Ticket=T-1",
        "ChatName=Ada",
    ]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut c = against(&sandbox);
    c.args(["call", "getChat", &format!("ChatID={chat_id}")]);
    let out = run(c).await;
    let answer: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(answer["Data"]["CustomFields"]["Ticket"], "T-1", "{answer}");
    assert_eq!(answer["Data"]["ChatName"], "Ada");
    // Outside the listed fields and families: refused, with the families named.
    for bad in ["Bogus=1", "CustomFields.=1"] {
        let mut c = against(&sandbox);
        c.args(["call", "updateChat", &format!("ChatID={chat_id}"), bad]);
        let out = run(c).await;
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            text(&out.stderr).contains("CustomFields.<name>"),
            "{}",
            text(&out.stderr)
        );
    }

    // `bold360 methods` lists them as undocumented, and describes one.
    let mut c = command();
    c.arg("methods");
    let listed = text(&run(c).await.stdout);
    let line = listed
        .lines()
        .find(|l| l.starts_with("getDepartments "))
        .expect("listed");
    assert!(line.contains("undocumented"), "{line}");
    let mut c = command();
    c.args(["methods", "getDepartments"]);
    let out = run(c).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("no page documents this method"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_subcommand_has_help_with_examples() {
    for sub in [
        "methods",
        "call",
        "export",
        "sandbox",
        "spec",
        "verify-trigger",
    ] {
        let out = run({
            let mut c = command();
            c.args([sub, "--help"]);
            c
        })
        .await;
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stdout).contains("Example"), "{sub}");
    }
}

/// A v2 getAllChatMessages page of two records with an optional cursor.
fn v2_body(first: u64, cursor: Option<&str>, truncated: bool) -> bold360_sdk::sandbox::Fault {
    let cursor = cursor.map_or(String::new(), |c| format!(r#","NextPage":"{c}""#));
    bold360_sdk::sandbox::Fault::Body(format!(
        r#"{{"Status":"success","Truncated":{truncated}{cursor},"Data":[{{"ChatMessageID":"{first}"}},{{"ChatMessageID":"{}"}}]}}"#,
        first + 1
    ))
}

fn checkpoint_of(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{}.checkpoint", out.display())).unwrap())
        .unwrap()
}

#[tokio::test]
async fn an_export_that_cannot_finish_says_so_and_stays_resumable() {
    let sandbox = Sandbox::builder().without_limits().start().await.unwrap();
    // A cycle A → B → A.
    for fault in [
        v2_body(1, Some("A"), true),
        v2_body(3, Some("B"), true),
        v2_body(5, Some("A"), true),
    ] {
        sandbox.inject_fault(Some("getAllChatMessages"), fault, 1);
    }
    let out = temp("cycle");
    let mut c = against(&sandbox);
    c.args(["export", "getAllChatMessages", "--api", "v2", "--out"])
        .arg(&out);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("paging stopped"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(lines(&out).len(), 4, "no record twice");
    let cp = checkpoint_of(&out);
    assert!(!cp["next"].is_null(), "not marked complete: {cp}");

    // Truncated without a continuation: records are missing.
    sandbox.inject_fault(Some("getAllChatMessages"), v2_body(1, None, true), 1);
    let out = temp("truncated");
    let mut c = against(&sandbox);
    c.args(["export", "getAllChatMessages", "--api", "v2", "--out"])
        .arg(&out);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("no continuation"),
        "{}",
        text(&o.stderr)
    );
    assert!(!checkpoint_of(&out)["next"].is_null());
}

#[tokio::test]
async fn a_truncated_list_that_does_not_page_exits_5_unless_accepted() {
    let sandbox = Sandbox::builder().without_limits().start().await.unwrap();
    let body = r#"{"Status":"success","Truncated":true,"Data":[{"ChatID":"1"},{"ChatID":"2"}]}"#;
    let fault = || bold360_sdk::sandbox::Fault::Body(body.into());
    sandbox.inject_fault(Some("getActiveChats"), fault(), 2);
    let mut c = against(&sandbox);
    c.args(["call", "getActiveChats"]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("narrow the filter"));
    assert!(
        text(&o.stdout).contains("\"ChatID\""),
        "the answer is still printed"
    );
    let out = temp("single");
    let mut c = against(&sandbox);
    c.args(["export", "getActiveChats", "--out"]).arg(&out);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    assert_eq!(lines(&out).len(), 2);

    sandbox.inject_fault(Some("getActiveChats"), fault(), 2);
    let mut c = against(&sandbox);
    c.args(["call", "getActiveChats", "--accept-truncated"]);
    assert_eq!(run(c).await.status.code(), Some(0));
    let out = temp("accepted");
    let mut c = against(&sandbox);
    c.args(["export", "getActiveChats", "--accept-truncated", "--out"])
        .arg(&out);
    assert_eq!(run(c).await.status.code(), Some(0));
}

#[tokio::test]
async fn exports_are_json_lines_whatever_the_servers_formatting() {
    let sandbox = Sandbox::builder().without_limits().start().await.unwrap();
    // Pretty-printed, an ID above 2^64, keys out of order, a decimal written 1.50.
    let pretty = "{\n  \"Status\": \"success\",\n  \"Truncated\": false,\n  \"Data\": [\n    {\n      \"Zed\": 1.50,\n      \"ChatMessageID\": 18446744073709551617,\n      \"Text\": \"two\\nlines \\\"quoted\\\"\"\n    },\n    {\n      \"ChatMessageID\": \"9007199254740993\"\n    }\n  ]\n}";
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        bold360_sdk::sandbox::Fault::Body(pretty.into()),
        1,
    );
    let out = temp("pretty");
    let mut c = against(&sandbox);
    c.args(["export", "getAllChatMessages", "--api", "v2", "--out"])
        .arg(&out);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        "{\"Zed\":1.50,\"ChatMessageID\":18446744073709551617,\"Text\":\"two\\nlines \\\"quoted\\\"\"}\n{\"ChatMessageID\":\"9007199254740993\"}\n"
    );

    // One object where a list is documented is one record.
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        bold360_sdk::sandbox::Fault::Body(
            r#"{"Status":"success","Data":{"ChatMessageID":"7"}}"#.into(),
        ),
        1,
    );
    let out = temp("single-object");
    let mut c = against(&sandbox);
    c.args(["export", "getAllChatMessages", "--api", "v2", "--out"])
        .arg(&out);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{\"ChatMessageID\":\"7\"}\n"
    );

    // `call` prints Data with the same fidelity.
    sandbox.inject_fault(
        Some("getAllChatMessages"),
        bold360_sdk::sandbox::Fault::Body(pretty.into()),
        1,
    );
    let mut c = against(&sandbox);
    c.args(["call", "getAllChatMessages", "--api", "v2"]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let printed = text(&o.stdout);
    assert!(
        printed.contains("{\"Zed\":1.50,\"ChatMessageID\":18446744073709551617,"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_closed_stdout_ends_quietly() {
    let mut child = command()
        .args(["methods"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader is gone before the list is written (as with `| head -0`): every line hits a
    // closed pipe.
    drop(child.stdout.take());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn timeouts_and_oversized_requests_have_their_own_exit_codes() {
    let sandbox = Sandbox::builder().without_limits().start().await.unwrap();
    // A request that cannot be sent is a usage error (2), not a network error, and is not retried.
    let long = format!("Note={}", "x".repeat(120 * 1024));
    let mut c = against(&sandbox);
    c.args(["call", "getOperators", &long]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Note"), "{}", text(&o.stderr));
    assert!(sandbox.requests().is_empty());

    // --timeout bounds each request.
    sandbox.inject_fault(
        Some("getOperators"),
        bold360_sdk::sandbox::Fault::Latency(Duration::from_secs(5)),
        10,
    );
    let started = Instant::now();
    let mut c = against(&sandbox);
    c.args(["call", "getOperators", "--timeout", "0.3"]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("no response within"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let mut c = against(&sandbox);
    c.args(["call", "getOperators", "--timeout", "0"]);
    assert_eq!(run(c).await.status.code(), Some(2));
}
