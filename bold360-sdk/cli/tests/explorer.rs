//! `bold360 explore`: the page in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs), and the proxy's refusals.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bold360_sdk::sandbox::Sandbox;
use bold360_sdk::ExposeSecret;
use common::{command, free_port, installed};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// A child process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bold360 explore --port 0 ARGS…` with `env`: the process and the explorer's URL.
fn explore(
    env: &[(&str, &str)],
    args: &[&str],
) -> (Running, String, std::thread::JoinHandle<String>) {
    let mut cmd = command();
    cmd.args(["explore", "--port", "0"]).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("Bold360 API explorer on ") {
            url = Some(u.trim().to_owned());
            break;
        }
    }
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    (Running(child), url.expect("explore prints its URL"), logs)
}

/// chromedriver on a free loopback port, and a headless Chromium session through it that
/// reaches nothing but loopback.
async fn browser(profile: &Path) -> (Running, Client) {
    let how = "install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; `.ci/run` does)";
    let chromedriver = installed("/usr/bin/chromedriver", how);
    let chromium = installed("/usr/bin/chromium", how);
    let port = free_port();
    let driver = Running(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--no-first-run", "--window-size=1280,1100",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let caps = caps.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a Chromium session through chromedriver: {e}"),
        }
    }
}

/// Waits until `script` (a JS expression) is truthy; its final value.
async fn wait_for(client: &Client, what: &str, script: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = client
            .execute(&format!("return {script};"), vec![])
            .await
            .unwrap_or(Value::Null);
        let truthy = !matches!(&value, Value::Null | Value::Bool(false))
            && value != json!("")
            && value != json!(0);
        if truthy {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens an operation, executes it as it is filled in, and returns the answer's status and
/// body as the page shows them.
async fn try_it(client: &Client, path: &str) -> (String, String) {
    let block = format!(
        "Array.from(document.querySelectorAll('.opblock')).find(b => b.querySelector('.opblock-summary-path') && b.querySelector('.opblock-summary-path').getAttribute('data-path') === '{path}')"
    );
    // Clicked as a user clicks (WebDriver scrolls to it and sends the pointer events).
    client
        .find(Locator::Css(&format!(
            ".opblock-summary-path[data-path=\"{path}\"]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        client,
        &format!("{path}: Execute"),
        &format!("{block}.querySelector('button.execute')"),
    )
    .await;
    client
        .find(Locator::XPath(&format!(
            "//span[@data-path='{path}']/ancestor::div[contains(@class,'opblock ')]//button[contains(@class,'execute')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = wait_for(
        client,
        &format!("{path}: the answer"),
        &format!("(function(){{ var s = {block}.querySelector('.live-responses-table tbody .response-col_status'); return s && s.innerText.trim(); }})()"),
    )
    .await;
    let body = wait_for(
        client,
        &format!("{path}: the body"),
        &format!("(function(){{ var b = {block}.querySelector('.live-responses-table .response-col_description pre, .live-responses-table .highlight-code'); return b && b.innerText; }})()"),
    )
    .await;
    (
        status.as_str().unwrap_or_default().to_owned(),
        body.as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_lists_every_method_and_tries_reads_on_the_sandbox() {
    let (_explorer, url, _logs) = explore(&[], &[]);
    let profile = std::env::temp_dir().join(format!("bold360-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let (_driver, client) = browser(&profile).await;
    client.goto(&url).await.unwrap();

    // Every method of the manifest is listed by name as soon as the page has loaded.
    let manifest = bold360_api_spec::Manifest::embedded().unwrap();
    let expected: usize = manifest.methods.iter().map(|m| m.versions.len()).sum();
    let count = wait_for(
        &client,
        "the operations",
        &format!("document.querySelectorAll('.opblock-summary-path').length >= {expected} && document.querySelectorAll('.opblock-summary-path').length"),
    )
    .await;
    assert_eq!(count, json!(expected));
    let paths: Vec<String> = serde_json::from_value(
        client
            .execute("return Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.getAttribute('data-path'));", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    for m in &manifest.methods {
        for v in &m.versions {
            let path = format!("/{}/{}", v.as_str(), m.name);
            assert!(paths.contains(&path), "{path} is listed");
        }
    }

    let (status, body) = try_it(&client, "/v1/getOperators").await;
    assert_eq!(status, "200", "{body}");
    assert!(
        body.contains("\"success\"") && body.contains("LoginID"),
        "{body}"
    );
    let (status, body) = try_it(&client, "/v2/getAllChatMessages").await;
    assert_eq!(status, "200", "{body}");
    assert!(
        body.contains("\"success\"") && body.contains("ChatMessageID") && body.contains("NextPage"),
        "{}",
        &body[..body.len().min(2000)]
    );

    // Nothing but loopback: every resource the page loaded came from the explorer itself.
    let origin = url.trim_end_matches("/explorer");
    let loaded: Vec<String> = serde_json::from_value(
        client
            .execute("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(loaded.len() >= 4, "{loaded:?}");
    for name in &loaded {
        assert!(name.starts_with(origin), "loaded from elsewhere: {name}");
    }

    // The screenshot the README shows: the list, with getOperators tried.
    client
        .execute(
            "document.querySelector('.opblock-summary-path[data-path=\"/v1/getOperators\"]').closest('.opblock').querySelector('.live-responses-table').scrollIntoView(); window.scrollBy(0, -330); return true;",
            vec![],
        )
        .await
        .unwrap();
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/explorer.png");
    let target = if std::env::var_os("BOLD360_BLESS").is_some() {
        shot
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("explorer.png")
    };
    std::fs::write(&target, &png).unwrap();
    println!(
        "explorer: {} operations listed; screenshot {}",
        count,
        target.display()
    );
    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
}

/// The per-start token the page's script carries.
fn page_token(script: &str) -> String {
    script
        .split("var token = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the script sets the token")
        .to_owned()
}

/// A 128-digit hex run: a token's SHA-512 part.
fn has_token_hash(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 128 {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_refuses_foreign_hosts_origins_tokenless_calls_and_unknown_methods() {
    let sandbox = Sandbox::builder().port(0).start().await.unwrap();
    let c = sandbox.credentials();
    let key = c.api_key().expose_secret().to_owned();
    let (explorer, url, logs) = explore(
        &[
            ("BOLD360_ENDPOINT", sandbox.base_url()),
            ("BOLD360_ACCOUNT_ID", c.account_id()),
            ("BOLD360_API_SETTING_ID", c.api_setting_id()),
            ("BOLD360_API_KEY", &key),
        ],
        &["-vv"],
    );
    let origin = url.trim_end_matches("/explorer").to_owned();
    let port = origin.rsplit(':').next().unwrap().to_owned();
    let http = bold360_sdk::reqwest::Client::new();
    let mut seen = String::new();
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = http.get(format!("{origin}{path}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };

    // The page and its script: the token is in the script only.
    let page = get("/explorer", &[]).await.unwrap();
    assert_eq!(page.status(), 200);
    seen.push_str(&page.text().await.unwrap());
    let script = get("/explorer/explorer.js", &[])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page_token(&script);
    assert_eq!(token.len(), 32);
    let openapi = get("/explorer/openapi.json", &[])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc: Value = serde_json::from_str(&openapi).unwrap();
    assert_eq!(doc["servers"][0]["url"], "/explorer/api");
    assert!(
        doc.get("security").is_none(),
        "the proxy signs: no key is asked for"
    );
    seen.push_str(&openapi);
    let with_token = [("x-bold360-explorer-token", token.as_str())];

    // Served with the token, and through the SDK: a read and a write.
    let read = get("/explorer/api/v1/getOperators", &with_token)
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let read = read.text().await.unwrap();
    assert!(read.contains("\"success\""), "{read}");
    seen.push_str(&read);
    let operator = sandbox.example_values()["OperatorID"].clone();
    let write_path =
        format!("/explorer/api/v1/editOperator?OperatorID={operator}&Email=changed%40example.com");
    let write = get(&write_path, &with_token).await.unwrap();
    assert_eq!(write.status(), 200);
    seen.push_str(&write.text().await.unwrap());
    let wrote = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "editOperator")
        .count();
    assert_eq!(wrote, 1, "the write went through");

    // Refused: a write without the page's token (and with a wrong one); nothing reaches the API.
    for headers in [&[][..], &[("x-bold360-explorer-token", "0123")][..]] {
        let r = get(&write_path, headers).await.unwrap();
        assert_eq!(r.status(), 403);
        seen.push_str(&r.text().await.unwrap());
    }
    // Refused: a method outside the manifest, and a version that is not one.
    let r = get("/explorer/api/v1/deleteEverything", &with_token)
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let text = r.text().await.unwrap();
    assert!(text.contains("not a documented method"), "{text}");
    assert_eq!(
        get("/explorer/api/v9/getOperators", &with_token)
            .await
            .unwrap()
            .status(),
        404
    );
    // A parameter the manifest refuses is refused by the SDK, before any traffic.
    let r = get("/explorer/api/v1/getChat?ChatID=abc", &with_token)
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    seen.push_str(&r.text().await.unwrap());
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "deleteEverything" || r.method == "getChat")
            .count(),
        0
    );

    // Refused on every route: a foreign Origin, a foreign Host (DNS rebinding).
    for path in [
        "/explorer",
        "/explorer/explorer.js",
        "/explorer/openapi.json",
        "/explorer/ui/swagger-ui-bundle.js",
        "/explorer/api/v1/getOperators",
    ] {
        for headers in [
            vec![("origin", "http://evil.example")],
            vec![("origin", "http://127.0.0.1:1")],
            vec![("host", "evil.example")],
        ] {
            let mut headers = headers;
            headers.extend(with_token);
            let host_header = format!("rebound.example:{port}");
            if headers[0].0 == "host" {
                headers[0].1 = &host_header;
            }
            let r = get(path, &headers).await.unwrap();
            assert_eq!(r.status(), 403, "{path} {headers:?}");
            let text = r.text().await.unwrap();
            assert!(!text.contains(&token), "a refusal never shows the token");
            seen.push_str(&text);
        }
    }
    assert_eq!(
        sandbox
            .requests()
            .iter()
            .filter(|r| r.method == "getOperators")
            .count(),
        1,
        "refused calls sent nothing"
    );

    drop(explorer);
    let logs = logs.join().unwrap();
    assert!(logs.contains("getOperators"), "-vv logs the calls: {logs}");
    for (what, text) in [("responses", &seen), ("logs", &logs)] {
        assert!(!text.contains(&key), "the key is in the {what}");
        assert!(!has_token_hash(text), "a token is in the {what}");
    }
    assert!(
        !seen.replace(&script, "").contains(&token),
        "the page token is only in the page's script"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bold360_sandbox_serves_the_same_explorer_at_slash_explorer() {
    let (mut sandbox, vars, printed) = common::cli_sandbox(&[]).await;
    let base = vars["BOLD360_ENDPOINT"].clone();
    assert!(
        printed
            .iter()
            .any(|l| l == &format!("API explorer: {base}/explorer")),
        "{printed:?}"
    );
    let http = bold360_sdk::reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut req = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            req = req.header("x-bold360-explorer-token", t);
        }
        req.send()
    };
    let page = get("/explorer", None).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("/explorer/ui/swagger-ui-bundle.js"));
    let script = get("/explorer/explorer.js", None)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page_token(&script);
    let doc: Value = serde_json::from_str(
        &get("/explorer/openapi.json", None)
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let chat = &doc["paths"]["/v1/getChat"]["get"]["parameters"][0];
    let chat_id = chat["example"]
        .as_str()
        .expect("the sandbox's example ChatID")
        .to_owned();
    let answer: Value = serde_json::from_str(
        &get(
            &format!("/explorer/api/v1/getChat?ChatID={chat_id}"),
            Some(&token),
        )
        .await
        .unwrap()
        .text()
        .await
        .unwrap(),
    )
    .unwrap();
    assert_eq!(answer["Status"], "success");
    assert_eq!(answer["Data"]["ChatID"], chat_id.as_str());
    let foreign = http
        .get(format!("{base}/explorer"))
        .header("host", "rebound.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
}

/// The explorer's page assets come from the `swagger-ui-dist` crate: the test reads the locked
/// dependency graph (`cargo metadata --locked`) and checks that the crate has no build script
/// (nothing runs, so nothing downloads, when it builds) and that the files the page serves are in
/// the crate's own package, where `include_str!` embeds them.
#[test]
fn the_explorer_assets_are_in_the_package_and_their_build_runs_nothing() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let assets = packages
        .iter()
        .find(|p| p["name"] == "swagger-ui-dist")
        .expect("swagger-ui-dist is in the locked graph");
    let kinds: Vec<&Value> = assets["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .flat_map(|t| t["kind"].as_array().expect("kind"))
        .collect();
    assert!(
        !kinds.iter().any(|k| *k == "custom-build"),
        "{} {} has a build script: {kinds:?}",
        assets["name"],
        assets["version"]
    );
    let dir = Path::new(assets["manifest_path"].as_str().expect("manifest_path"))
        .parent()
        .expect("package directory")
        .join("assets");
    for file in ["swagger-ui-bundle.js", "swagger-ui.css"] {
        let len = std::fs::metadata(dir.join(file))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(
            len > 10_000,
            "{} is missing or empty in the package",
            dir.join(file).display()
        );
    }
}

/// `--open` runs the command in `BROWSER` with the page's URL (a script here that writes down
/// what it was given), and an opener that cannot start leaves the server serving, with a
/// message saying what to open by hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_hands_the_page_to_the_browser_command_and_survives_a_missing_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("bold360-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opened = dir.join("opened");
    let script = dir.join("browser");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let browser = script.to_str().unwrap();
    let (server, url, _logs) = explore(&[("BROWSER", browser)], &["--open"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !opened.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let given = std::fs::read_to_string(&opened).expect("the BROWSER command was run");
    assert_eq!(given, url, "the browser is given the page's URL");
    let page = bold360_sdk::reqwest::get(&url).await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "the URL handed to the browser serves the page"
    );
    drop(server);

    let missing = dir.join("no-such-browser");
    let (server, url, logs) = explore(&[("BROWSER", missing.to_str().unwrap())], &["--open"]);
    let page = bold360_sdk::reqwest::get(&url).await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "a missing browser does not stop the server"
    );
    drop(server);
    let logs = logs.join().unwrap();
    assert!(
        logs.contains("could not open a browser") && logs.contains(&url),
        "says what to open by hand: {logs}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
