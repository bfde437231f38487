//! Schemathesis (PyPI, pinned, `target/tools/schemathesis`) against `bold360 sandbox` (its own
//! process, the account limits on), generating requests for every operation of
//! `api-spec/openapi.json` (examples, coverage and fuzzing phases, a bounded number of
//! examples each): every check of the tool, with the two that judge refusals by HTTP status
//! (`ignored_auth`, `negative_data_rejection`) replaced by the checks of
//! `tests/tools/schemathesis/hooks.py`, which judge them by the vendor's in-band error
//! envelope. The hooks sign each request as the document's security scheme says.
//!
//! Then against `bold360 explore`'s proxy (the explorer's own copy of the document, pointed at
//! the proxy, which signs): with the page's token, every check again, and for each operation
//! the same request without the token, from a foreign Host or Origin, or naming a method
//! outside the manifest, refused; what the sandbox behind it received is counted.

mod common;

use std::process::Command;

use bold360_sdk::explorer::Explorer;
use bold360_sdk::sandbox::Sandbox;
use common::{cli_sandbox, installed, run, text, workspace};

fn schemathesis() -> std::path::PathBuf {
    installed(
        workspace().join("target/tools/schemathesis/bin/schemathesis"),
        "run `cargo xtask install-tools` (it installs the pinned schemathesis from tests/tools/python/schemathesis.txt)",
    )
}

/// `schemathesis run SCHEMA ARGS…` with the hooks, in a fresh working directory; what it
/// printed from its summary on.
/// The built-in checks that judge by HTTP status what Bold360 answers in-band: replaced by the
/// hooks' checks (`positive_data_acceptance` only at the proxy, which refuses with 400 what
/// breaks a rule the document states as `x-bold360-constraints`).
const REPLACED: &str = "ignored_auth,negative_data_rejection";
const REPLACED_AT_THE_PROXY: &str = "ignored_auth,negative_data_rejection,positive_data_acceptance";

async fn schemathesis_run(schema: &str, args: &[&str], env: &[(String, String)]) -> String {
    let dir = std::env::temp_dir().join(format!(
        "bold360-schemathesis-{}-{}",
        std::process::id(),
        env.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(schemathesis());
    cmd.arg("run")
        .arg(schema)
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "5", "--seed", "360", "--workers", "2"])
        .args(["--no-color"])
        .args(args)
        .current_dir(&dir)
        .env("PYTHONPATH", workspace().join("tests/tools/schemathesis"))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env_remove("BOLD360_ACCOUNT_ID")
        .env_remove("BOLD360_API_SETTING_ID")
        .env_remove("BOLD360_API_KEY")
        .env_remove("BOLD360_EXPLORER_TOKEN")
        .envs(env.iter().cloned());
    let out = run(cmd).await;
    let printed = text(&out.stdout);
    let summary = printed
        .rsplit_once("SUMMARY")
        .map_or(printed.as_str(), |(_, s)| s)
        .to_owned();
    println!("{summary}");
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{printed}\n{}",
        text(&out.stderr)
    );
    assert!(
        summary.contains("Tested: 71"),
        "every operation is tested:\n{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    summary
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_against_the_sandbox() {
    let (_sandbox, vars, _) = cli_sandbox(&[]).await;
    let base = format!(
        "{}/aid/{}/data/rest/json",
        vars["BOLD360_ENDPOINT"], vars["BOLD360_ACCOUNT_ID"]
    );
    let env: Vec<(String, String)> = vars.into_iter().collect();
    let schema = workspace().join("api-spec/openapi.json");
    schemathesis_run(
        schema.to_str().unwrap(),
        &["--url", &base, "--exclude-checks", REPLACED],
        &env,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_against_the_explorer_proxy() {
    let sandbox = Sandbox::builder().port(0).start().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Explorer::new(sandbox.client().unwrap())
        .examples(sandbox.example_values())
        .router(addr);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let script = reqwest::get(format!("http://{addr}/explorer/explorer.js"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = script
        .split_once("var token = \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(token, _)| token.to_owned())
        .expect("the page's script carries its token");
    let header = format!("{}: {token}", bold360_sdk::explorer::TOKEN_HEADER);
    let before = sandbox.requests().len();
    schemathesis_run(
        &format!("http://{addr}/explorer/openapi.json"),
        &[
            "--header",
            &header,
            "--exclude-checks",
            REPLACED_AT_THE_PROXY,
        ],
        &[("BOLD360_EXPLORER_TOKEN".to_owned(), token.clone())],
    )
    .await;
    assert!(
        sandbox.requests().len() > before,
        "the proxy forwarded the requests that carried the token"
    );
}
