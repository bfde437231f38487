//! `tap-bold360` against the sandbox, judged by real Singer targets from PyPI (pinned, in
//! `target/tools/`, installed by `cargo xtask install-tools`): meltanolabs-target-csv, and
//! meltanolabs-target-postgres loading a real PostgreSQL server this test starts (Debian's
//! package, as the `postgres` user when run as root, on a free loopback port, in a temporary
//! directory).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::{ApiVersion, ExposeSecret};
use common::postgres::Postgres;
use common::{installed, run, workspace};
use serde_json::{json, Value};

const TAP: &str = env!("CARGO_BIN_EXE_tap-bold360");

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bold360-tap-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Singer target from its pinned virtual environment.
fn target(name: &str) -> PathBuf {
    installed(
        workspace().join(format!("target/tools/{name}/bin/{name}")),
        &format!("run `cargo xtask install-tools` (it installs the pinned {name} from tests/tools/python/{name}.txt)"),
    )
}

fn tap_command(
    dir: &Path,
    config: &Value,
    catalog: Option<&Value>,
    state: Option<&Value>,
) -> Command {
    let mut cmd = Command::new(TAP);
    for var in [
        "BOLD360_ACCOUNT_ID",
        "BOLD360_API_SETTING_ID",
        "BOLD360_API_KEY",
        "BOLD360_ENDPOINT",
        "BOLD360_REGION",
        "BOLD360_API_VERSION",
        "BOLD360_LIMITER_URL",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    let write = |name: &str, value: &Value| {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
        path
    };
    cmd.arg("--config").arg(write("config.json", config));
    if let Some(c) = catalog {
        cmd.arg("--catalog").arg(write("catalog.json", c));
    }
    if let Some(s) = state {
        cmd.arg("--state").arg(write("state.json", s));
    }
    cmd
}

fn config(sandbox: &Sandbox, extra: Value) -> Value {
    let c = sandbox.credentials();
    let mut config = json!({
        "account_id": c.account_id(),
        "api_setting_id": c.api_setting_id(),
        "api_key": c.api_key().expose_secret(),
        "endpoint": sandbox.base_url(),
        "start_date": "2024-01-01T00:00:00Z",
    });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

/// The catalog `--discover` prints, with only `streams` selected.
async fn catalog(dir: &Path, cfg: &Value, streams: &[&str]) -> Value {
    let out = run({
        let mut c = tap_command(dir, cfg, None, None);
        c.arg("--discover");
        c
    })
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut catalog: Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in catalog["streams"].as_array_mut().unwrap() {
        let on = streams.contains(&s["tap_stream_id"].as_str().unwrap());
        s["metadata"][0]["metadata"]["selected"] = json!(on);
    }
    catalog
}

fn messages(stdout: &[u8]) -> Vec<Value> {
    stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

fn record_counts(messages: &[Value]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for m in messages.iter().filter(|m| m["type"] == "RECORD") {
        *counts
            .entry(m["stream"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    counts
}

/// Records the sandbox serves for one call, every page, read through the SDK.
async fn served(
    sandbox: &Sandbox,
    method: &str,
    version: bold360_sdk::ApiVersion,
    params: &[(&str, &str)],
) -> u64 {
    use bold360_sdk::prelude::*;
    let client = sandbox.client().unwrap().with_version(version);
    let mut p = Params::new();
    for (k, v) in params {
        p.set(*k, *v);
    }
    let pages: Vec<_> = client.pages_raw(method, p).try_collect().await.unwrap();
    pages
        .iter()
        .map(|p| p.data.as_ref().map_or(0, |d| d.len() as u64))
        .sum()
}

/// Feeds `input` to a target; its stdout (the states it confirms) and whether it succeeded.
fn load(
    target_exe: &Path,
    target_config: &Value,
    dir: &Path,
    input: &[u8],
) -> (bool, Vec<Value>, String) {
    let cfg = dir.join("target.json");
    std::fs::write(&cfg, serde_json::to_vec(target_config).unwrap()).unwrap();
    let mut child = Command::new(target_exe)
        .arg("--config")
        .arg(&cfg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.success(),
        messages(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn last_state(confirmed: &[Value]) -> Value {
    confirmed.last().cloned().unwrap_or(json!({}))
}

fn ok(out: &Output) -> Vec<Value> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "tap failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    messages(&out.stdout)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_and_discover_describe_the_manifests_streams() {
    let out = run({
        let mut c = Command::new(TAP);
        c.args(["--about", "--format", "json"]);
        c
    })
    .await;
    let about: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(about["name"], "tap-bold360");
    let streams: Vec<&str> = about["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tap_stream_id"].as_str().unwrap())
        .collect();
    for name in [
        "getAllChatMessages",
        "getInactiveChats",
        "getConversions",
        "getLoginActivity",
        "getDepartmentOperators",
        "getOperators",
        "getFolders",
        "getSetupFolders",
        "getChatCannedMessages",
        "getAllAuditLogs",
        "getAllInvitations",
    ] {
        assert!(streams.contains(&name), "{name} is a stream");
    }
    let settings: Vec<&str> = about["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(settings.contains(&"start_date") && settings.contains(&"limiter_url"));
    let md = run({
        let mut c = Command::new(TAP);
        c.args(["--about", "--format", "markdown"]);
        c
    })
    .await;
    assert!(String::from_utf8_lossy(&md.stdout)
        .contains("| `getAllChatMessages` | INCREMENTAL | ChatMessageID |"));
    // `bold360 tap` is the same program.
    let same = run({
        let mut c = common::command();
        c.args(["tap", "--about"]);
        c
    })
    .await;
    assert_eq!(same.stdout, out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_by_name_before_any_message() {
    let sandbox = Sandbox::builder().port(0).chats(10).start().await.unwrap();
    let dir = temp("bad");
    let good = config(&sandbox, json!({}));
    let key = good["api_key"].as_str().unwrap().to_owned();
    let catalog_all = catalog(&dir, &good, &["getOperators"]).await;
    let mut unknown = catalog_all.clone();
    unknown["streams"][0]["tap_stream_id"] = json!("getOperatorz");
    let mut no_key = good.clone();
    no_key.as_object_mut().unwrap().remove("api_key");
    // (what, config, catalog, state, what the message must name)
    type Case<'a> = (&'a str, Value, Option<Value>, Option<Value>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "unknown stream",
            good.clone(),
            Some(unknown),
            None,
            "\"getOperatorz\" is not a stream",
        ),
        (
            "malformed state",
            good.clone(),
            Some(catalog_all.clone()),
            Some(
                json!({"bookmarks": {"getAllChatMessages": {"replication_key_value": "last tuesday"}}}),
            ),
            "bookmarks.getAllChatMessages.replication_key_value",
        ),
        (
            "state not an object",
            good.clone(),
            None,
            Some(json!([])),
            "state",
        ),
        (
            "malformed start_date",
            config(&sandbox, json!({"start_date": "2024-13-01"})),
            None,
            None,
            "\"start_date\"",
        ),
        (
            "missing start_date",
            {
                let mut c = good.clone();
                c.as_object_mut().unwrap().remove("start_date");
                c
            },
            None,
            None,
            "\"start_date\" is required",
        ),
        ("missing credential", no_key, None, None, "\"api_key\""),
        (
            "unknown setting",
            config(&sandbox, json!({"acount_id": "1"})),
            None,
            None,
            "\"acount_id\"",
        ),
        (
            "bad window",
            config(&sandbox, json!({"date_window_days": -1})),
            None,
            None,
            "\"date_window_days\"",
        ),
        (
            "bad region",
            config(&sandbox, json!({"region": "mars"})),
            None,
            None,
            "\"region\"",
        ),
    ];
    for (what, cfg, cat, state, names) in cases {
        let out = run(tap_command(&dir, &cfg, cat.as_ref(), state.as_ref())).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.contains(names), "{what}: {stderr} names {names}");
        assert!(
            out.stdout.is_empty(),
            "{what}: nothing emitted, no partial state"
        );
        assert!(
            !stderr.contains(&key),
            "{what}: the key is not in the message"
        );
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_csv_gets_every_record_of_every_stream() {
    let sandbox = Sandbox::builder().port(0).chats(120).start().await.unwrap();
    let dir = temp("csv");
    let cfg = config(
        &sandbox,
        json!({"end_date": "2024-01-08T00:00:00Z", "date_window_days": 2}),
    );
    let out = run({
        let mut c = tap_command(&dir, &cfg, None, None);
        c.env("RUST_LOG", "trace");
        c
    })
    .await;
    let tapped = ok(&out);
    let key = cfg["api_key"].as_str().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(key),
        "the key is in no message"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("getAllChatMessages"), "trace logs the calls");
    assert!(!log.contains(key), "the key is in no log line");
    let token_hash = log
        .split(|c: char| !c.is_ascii_hexdigit())
        .any(|run| run.len() >= 128);
    assert!(!token_hash, "no token in the log");
    let counts = record_counts(&tapped);
    let csv_dir = dir.join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    let (loaded, confirmed, log) = load(
        &target("target-csv"),
        &json!({ "output_path": csv_dir }),
        &dir,
        &out.stdout,
    );
    assert!(loaded, "target-csv failed:\n{log}");
    let state = last_state(&confirmed);
    assert_eq!(
        state["bookmarks"]["getAllChatMessages"]["replication_key_value"],
        "2024-01-08T00:00:00Z"
    );
    // Every stream of the catalog has its file, and each file every record the tap sent.
    let (plans, _) = bold360_cli::tap::streams::plan(
        &bold360_api_spec::Manifest::embedded().unwrap(),
        bold360_api_spec::Version::V1,
    );
    for plan in &plans {
        let file = csv_dir.join(format!("{}.csv", plan.name));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|_| panic!("{} written", file.display()));
        let records = common::csv::records(&text);
        assert!(records[0].iter().any(|c| c == "extra"), "{:?}", records[0]);
        let rows = records.len() as u64 - 1;
        assert_eq!(
            rows,
            counts.get(&plan.name).copied().unwrap_or(0),
            "{}",
            plan.name
        );
    }
    // …and what the tap sent is what the sandbox serves.
    use bold360_sdk::ApiVersion::{V1, V2};
    let window = [
        ("FromDate", "2024-01-01T00:00:00Z"),
        ("ToDate", "2024-01-08T00:00:00Z"),
    ];
    assert_eq!(
        counts["getAllChatMessages"],
        served(&sandbox, "getAllChatMessages", V1, &window).await
    );
    assert_eq!(counts["getAllChatMessages"], 360);
    assert_eq!(
        counts["getAllAuditLogs"],
        served(&sandbox, "getAllAuditLogs", V2, &window).await
    );
    assert_eq!(counts["getOperators"], 6);
    assert_eq!(counts["getFolders"], 3);
    let mut inactive = 0;
    for folder in sandbox.seeded_ids("folder").iter().take(3) {
        let mut p = window.to_vec();
        p.push(("FolderID", folder));
        inactive += served(&sandbox, "getInactiveChats", V1, &p).await;
    }
    assert_eq!(counts["getInactiveChats"], inactive);
    assert_eq!(inactive, 120);
    let _ = std::fs::remove_dir_all(&dir);
}

const SDC: &str = "array['_sdc_extracted_at','_sdc_received_at','_sdc_batched_at','_sdc_deleted_at','_sdc_sequence','_sdc_table_version','_sdc_sync_started_at']";

/// A table's rows without the target's own columns, sorted: what two loads are compared by.
fn rows(pg: &Postgres, table: &str) -> Vec<String> {
    pg.query(&format!(
        "select (to_jsonb(t) - {SDC})::text from {table} t order by 1"
    ))
}

const STREAMS: [&str; 5] = [
    "getAllChatMessages",
    "getOperators",
    "getFolders",
    "getInactiveChats",
    "getDepartmentOperators",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_postgres_loads_exact_ids_and_dates_then_only_what_is_new() {
    let pg = Postgres::start("incremental");
    let target_pg = target("target-postgres");
    let sandbox = Sandbox::builder().port(0).chats(300).start().await.unwrap();
    let dir = temp("pg");
    let cfg = config(&sandbox, json!({"date_window_days": 30}));
    let cat = catalog(&dir, &cfg, &STREAMS).await;

    let first = run(tap_command(&dir, &cfg, Some(&cat), None)).await;
    let first_counts = record_counts(&ok(&first));
    let (loaded, confirmed, log) = load(
        &target_pg,
        &pg.target_config("bold360"),
        &dir,
        &first.stdout,
    );
    assert!(loaded, "target-postgres failed:\n{log}");
    let messages = "bold360.\"getAllChatMessages\"";
    assert_eq!(pg.count(messages), 900);
    assert_eq!(first_counts["getAllChatMessages"], 900);
    assert_eq!(pg.count("bold360.\"getInactiveChats\""), 300);
    assert_eq!(pg.count("bold360.\"getOperators\""), 6);
    assert_eq!(pg.count("bold360.\"getFolders\""), 3);
    assert_eq!(pg.count("bold360.\"getDepartmentOperators\""), 6);

    // IDs above 2^53 and dates, exactly as the sandbox serves them, read back in SQL.
    let client = sandbox.client().unwrap();
    let mut expected = BTreeMap::new();
    {
        use bold360_sdk::prelude::*;
        let mut pages = client.pages_raw("getAllChatMessages", Params::new());
        while let Some(page) = pages.try_next().await.unwrap() {
            for r in page.data.unwrap().iter() {
                expected.insert(
                    r["ChatMessageID"].as_str().unwrap().to_owned(),
                    r["Created"].as_str().unwrap().to_owned(),
                );
            }
        }
    }
    let loaded: BTreeMap<String, String> = pg
        .query(&format!("select \"ChatMessageID\", to_char(\"Created\", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from {messages}"))
        .iter()
        .map(|l| {
            let (id, created) = l.split_once('\t').unwrap();
            (id.to_owned(), created.to_owned())
        })
        .collect();
    assert_eq!(loaded, expected);
    assert!(
        expected
            .keys()
            .all(|id| id.parse::<u64>().unwrap() > 1 << 53),
        "every ID is above 2^53"
    );

    // The sandbox gains three messages; a run from the state the target confirmed adds those
    // and nothing else.
    common::add_messages(&sandbox, 3).await;
    let state = last_state(&confirmed);
    let second = run(tap_command(&dir, &cfg, Some(&cat), Some(&state))).await;
    let second_counts = record_counts(&ok(&second));
    assert_eq!(
        second_counts["getAllChatMessages"], 3,
        "only the new messages are read again"
    );
    assert_eq!(second_counts.get("getInactiveChats"), None);
    let (loaded, _, log) = load(
        &target_pg,
        &pg.target_config("bold360"),
        &dir,
        &second.stdout,
    );
    assert!(loaded, "target-postgres failed:\n{log}");
    assert_eq!(pg.count(messages), 903);
    assert_eq!(
        pg.query(&format!(
            "select count(distinct \"ChatMessageID\") from {messages}"
        ))[0],
        "903",
        "no duplicate key"
    );
    assert_eq!(
        pg.count("bold360.\"getOperators\""),
        6,
        "full tables are upserted, not appended"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_with_sigkill_and_resumed_loads_the_same_tables_as_one_that_was_not() {
    let pg = Postgres::start("kill");
    let target_pg = target("target-postgres");
    let sandbox = Sandbox::builder().port(0).chats(300).start().await.unwrap();
    let dir = temp("kill");
    let cfg = config(
        &sandbox,
        json!({"end_date": "2024-01-10T00:00:00Z", "date_window_days": 0.5}),
    );
    let cat = catalog(&dir, &cfg, &STREAMS).await;

    let whole = run(tap_command(&dir, &cfg, Some(&cat), None)).await;
    ok(&whole);
    let (loaded, _, log) = load(&target_pg, &pg.target_config("whole"), &dir, &whole.stdout);
    assert!(loaded, "{log}");

    // The same run, killed with SIGKILL after its 12th STATE (in the middle of
    // getAllChatMessages' windows); the target loads what it had received.
    let mut child = tap_command(&dir, &cfg, Some(&cat), None)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut received = Vec::new();
    let mut states = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        received.extend_from_slice(line.as_bytes());
        received.push(b'\n');
        if line.contains("\"type\":\"STATE\"") {
            states += 1;
            if states == 12 {
                child.kill().unwrap();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "killed by SIGKILL"
    );
    let (loaded, confirmed, log) = load(&target_pg, &pg.target_config("killed"), &dir, &received);
    assert!(loaded, "{log}");
    let state = last_state(&confirmed);
    let bookmark = state["bookmarks"]["getAllChatMessages"]["replication_key_value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        bookmark.as_str() < "2024-01-10T00:00:00Z",
        "killed mid-stream: {bookmark}"
    );
    let partial = pg.count("killed.\"getAllChatMessages\"");
    assert!(
        partial < pg.count("whole.\"getAllChatMessages\""),
        "the kill left the table incomplete"
    );

    // Resumed from the state the target confirmed.
    let resumed = run(tap_command(&dir, &cfg, Some(&cat), Some(&state))).await;
    ok(&resumed);
    let (loaded, _, log) = load(
        &target_pg,
        &pg.target_config("killed"),
        &dir,
        &resumed.stdout,
    );
    assert!(loaded, "{log}");
    for stream in STREAMS {
        let a = rows(&pg, &format!("whole.\"{stream}\""));
        let b = rows(&pg, &format!("killed.\"{stream}\""));
        assert!(!a.is_empty(), "{stream} loaded");
        assert_eq!(a.len(), b.len(), "{stream}: same number of rows");
        assert!(a == b, "{stream}: the same table");
    }
    println!(
        "kill -9 after 12 states (bookmark {bookmark}, {partial} messages loaded), resumed: tables equal the uninterrupted run's ({} messages)",
        pg.count("whole.\"getAllChatMessages\"")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// After the data ends, the empty windows up to the end date are read while the last window
/// with data is still paging, not after it (the run ends with its last page, not a round trip
/// per empty window later); bookmarks still come out in window order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_windows_after_the_data_are_read_while_its_last_window_pages() {
    // 6,000 messages over 4 days from 2024-01-01: six pages in the first 7-day window, then
    // nothing up to the end date.
    let sandbox = Sandbox::builder()
        .port(0)
        .chats(2000)
        .chat_minutes(3)
        .latency(std::time::Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let dir = temp("empty-after");
    let cfg = config(&sandbox, json!({"end_date": "2025-06-01T00:00:00Z"}));
    let cat = catalog(&dir, &cfg, &["getAllChatMessages"]).await;
    let messages = ok(&run(tap_command(&dir, &cfg, Some(&cat), None)).await);
    assert_eq!(record_counts(&messages)["getAllChatMessages"], 6000);
    let bookmarks: Vec<&str> = messages
        .iter()
        .filter(|m| m["type"] == "STATE")
        .filter_map(|m| {
            m["value"]["bookmarks"]["getAllChatMessages"]["replication_key_value"].as_str()
        })
        .collect();
    // 7 days, 7 days, then 64 times the empty week (capped at 366 days), then the rest.
    assert_eq!(
        bookmarks,
        [
            "2024-01-08T00:00:00Z",
            "2024-01-15T00:00:00Z",
            "2025-01-15T00:00:00Z",
            "2025-06-01T00:00:00Z",
            "2025-06-01T00:00:00Z"
        ]
    );
    let requests: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "getAllChatMessages")
        .collect();
    let last_page = requests
        .iter()
        .find(|r| {
            r.param("FromDate") == Some("2024-01-01T00:00:00Z")
                && r.param("PageStart") == Some("5000")
        })
        .expect("the first window's sixth page");
    let after: Vec<_> = requests
        .iter()
        .filter(|r| r.param("FromDate").is_some_and(|f| f >= "2024-01-15"))
        .collect();
    assert_eq!(
        after.len(),
        2,
        "one request per empty window after the first two"
    );
    for r in after {
        assert!(
            r.received_at < last_page.received_at,
            "the window from {:?} waited for the data's last page",
            r.param("FromDate")
        );
    }
}

/// A child stream's parents are one sequence of windows: the next folder's windows are read
/// while the last window with data of the folder before is still paging, not after it (each
/// parent no longer starts with a round trip of its own); bookmarks still come out in order,
/// each folder's complete before the next folder's first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_parents_windows_are_read_while_a_parent_pages() {
    // 12,000 chats a minute apart from 2024-01-01; up to the end date, seven days later, each
    // folder's inactive chats are one window (the first is 7 days long) of more than one page:
    // the next folder's window starts with it, not after its last page.
    let sandbox = Sandbox::builder()
        .port(0)
        .chats(12_000)
        .chat_minutes(1)
        .data_start("2024-01-01T00:00:00Z".parse().unwrap())
        .latency(std::time::Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let dir = temp("next-parent");
    let cfg = config(&sandbox, json!({"end_date": "2024-01-08T00:00:00Z"}));
    let cat = catalog(&dir, &cfg, &["getInactiveChats"]).await;
    let messages = ok(&run(tap_command(&dir, &cfg, Some(&cat), None)).await);
    // The folders in the order their bookmarks came, and each one's bookmarks.
    let mut folders: Vec<(String, Vec<String>)> = Vec::new();
    for m in messages.iter().filter(|m| m["type"] == "STATE") {
        let partitions = m["value"]["bookmarks"]["getInactiveChats"]["partitions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(last) = partitions.last() else {
            continue;
        };
        let folder = last["context"]["FolderID"].as_str().unwrap().to_owned();
        let bookmark = last["replication_key_value"].as_str().unwrap().to_owned();
        match folders.last_mut() {
            Some((last_folder, bookmarks)) if *last_folder == folder => bookmarks.push(bookmark),
            _ => {
                let again = folders.iter().any(|(f, _)| *f == folder);
                assert!(
                    !again,
                    "folder {folder}'s bookmarks came back after another's"
                );
                folders.push((folder, vec![bookmark]));
            }
        }
    }
    assert!(folders.len() >= 2, "{folders:?}");
    for (folder, bookmarks) in &folders {
        assert_eq!(
            bookmarks.last().map(String::as_str),
            Some("2024-01-08T00:00:00Z"),
            "folder {folder} read to the end date before the next one: {bookmarks:?}"
        );
    }
    let requests: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "getInactiveChats")
        .collect();
    let (first, second) = (&folders[0].0, &folders[1].0);
    let first_window = requests.iter().filter(|r| {
        r.param("FolderID") == Some(first.as_str())
            && r.param("FromDate") == Some("2024-01-01T00:00:00Z")
    });
    let pages = first_window.count();
    assert!(pages >= 2, "the first folder's window: {pages} pages");
    let last_page = requests
        .iter()
        .filter(|r| r.param("FolderID") == Some(first.as_str()))
        .map(|r| r.received_at)
        .max()
        .unwrap();
    let next_folder = requests
        .iter()
        .filter(|r| r.param("FolderID") == Some(second.as_str()))
        .map(|r| r.received_at)
        .min()
        .unwrap();
    assert!(
        next_folder < last_page,
        "folder {second} waited for folder {first}'s last page"
    );
    // What the tap sent is what the sandbox serves (asked after the tap's requests were
    // taken: these are recorded too).
    let mut served_total = 0;
    for (folder, _) in &folders {
        let p = [
            ("FromDate", "2024-01-01T00:00:00Z"),
            ("ToDate", "2024-01-08T00:00:00Z"),
            ("FolderID", folder.as_str()),
        ];
        served_total += served(&sandbox, "getInactiveChats", ApiVersion::V1, &p).await;
    }
    assert_eq!(record_counts(&messages)["getInactiveChats"], served_total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parents_first_window_is_as_long_as_the_last_sized_and_asks_a_small_first_page() {
    // 1,200 chats 10 minutes apart from 2024-01-01 (8.3 days), the two folders taking turns;
    // the end date 2024-01-10. The first folder's 7-day window holds 504 chats, so the windows
    // after it are longer: the second folder's first window is, too (with the configured 7
    // days again it would end on 2024-01-08). Whether it holds records is not known, so its
    // first page asks for 100 records; it holds 600. Its next page, from record 100, is its
    // last, and foreseen: the 100 records' dates say about 550 are left (the window runs a
    // day past the data), so it asks for that and a quarter more, not a whole page. (1,200
    // records stay within the account's 2,000 a second: the limiter has no reason to lower a
    // page.)
    let sandbox = Sandbox::builder()
        .port(0)
        .chats(1_200)
        .chat_minutes(10)
        .data_start("2024-01-01T00:00:00Z".parse().unwrap())
        .latency(std::time::Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let dir = temp("sibling-window");
    let cfg = config(&sandbox, json!({"end_date": "2024-01-10T00:00:00Z"}));
    let cat = catalog(&dir, &cfg, &["getInactiveChats"]).await;
    let messages = ok(&run(tap_command(&dir, &cfg, Some(&cat), None)).await);
    let requests: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "getInactiveChats")
        .collect();
    let mut folders: Vec<&str> = Vec::new();
    for r in &requests {
        let folder = r.param("FolderID").unwrap();
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    let [first, second, ..] = folders[..] else {
        panic!("two chat folders at least: {folders:?}")
    };
    let of = |folder: &str| -> Vec<_> {
        requests
            .iter()
            .filter(|r| r.param("FolderID") == Some(folder))
            .collect()
    };
    // The first folder's first window (its second window, up to the end date, is started at
    // the same moment by another task and may reach the sandbox first).
    let firsts: Vec<_> = of(first)
        .into_iter()
        .filter(|r| r.param("FromDate") == Some("2024-01-01T00:00:00Z"))
        .collect();
    assert_eq!(firsts[0].param("ToDate"), Some("2024-01-08T00:00:00Z"));
    assert_eq!(
        firsts[0].param("PageSize"),
        None,
        "nothing read yet: a whole first page"
    );
    let seconds = of(second);
    assert_eq!(seconds[0].param("FromDate"), Some("2024-01-01T00:00:00Z"));
    assert_eq!(
        seconds[0].param("ToDate"),
        Some("2024-01-10T00:00:00Z"),
        "as long as the first folder's windows had grown"
    );
    assert_eq!(seconds[0].param("PageSize"), Some("100"));
    assert_eq!(seconds[1].param("PageStart"), Some("100"));
    let last: u64 = seconds[1].param("PageSize").unwrap().parse().unwrap();
    assert!(
        (500..1000).contains(&last),
        "the last page foreseen: the 500 left, not a whole page ({last})"
    );
    assert_eq!(seconds.len(), 2, "and it was the last");
    // Every record once: what the sandbox serves for the whole span of each folder.
    let mut served_total = 0;
    for folder in &folders {
        let p = [
            ("FromDate", "2024-01-01T00:00:00Z"),
            ("ToDate", "2024-01-10T00:00:00Z"),
            ("FolderID", *folder),
        ];
        served_total += served(&sandbox, "getInactiveChats", ApiVersion::V1, &p).await;
    }
    assert_eq!(record_counts(&messages)["getInactiveChats"], served_total);
}
