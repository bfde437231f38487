//! Schemathesis (PyPI, pinned, `target/tools/schemathesis`) against `bold360 sandbox` (its own
//! process, the account limits on), generating requests for every operation of
//! `api-spec/openapi.json` (examples, coverage and fuzzing phases, a bounded number of
//! examples each): every check of the tool, with the two that judge refusals by HTTP status
//! (`ignored_auth`, `negative_data_rejection`) replaced by the checks of
//! `tests/tools/schemathesis/hooks.py`, which judge them by the vendor's in-band error
//! envelope. The hooks sign each request as the document's security scheme says.

mod common;

use std::process::Command;

use common::{cli_sandbox, installed, run, text, workspace};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_against_the_sandbox() {
    let exe = installed(
        workspace().join("target/tools/schemathesis/bin/schemathesis"),
        "run `cargo xtask install-tools` (it installs the pinned schemathesis from tests/tools/python/schemathesis.txt)",
    );
    let (_sandbox, vars, _) = cli_sandbox(&[]).await;
    let base = format!(
        "{}/aid/{}/data/rest/json",
        vars["BOLD360_ENDPOINT"], vars["BOLD360_ACCOUNT_ID"]
    );
    // Its working directory (schemathesis keeps a cache there) and its reports.
    let report = std::env::temp_dir().join(format!("bold360-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&report).unwrap();
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .arg(workspace().join("api-spec/openapi.json"))
        .args(["--url", &base])
        .args(["--checks", "all"])
        .args(["--exclude-checks", "ignored_auth,negative_data_rejection"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "5", "--seed", "360", "--workers", "2"])
        .args(["--no-color"])
        .arg("--report-dir")
        .arg(&report)
        .current_dir(&report)
        .env("PYTHONPATH", workspace().join("tests/tools/schemathesis"))
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("SCHEMATHESIS_TELEMETRY", "false");
    for (k, v) in &vars {
        cmd.env(k, v);
    }
    let out = run(cmd).await;
    let printed = text(&out.stdout);
    let summary = printed
        .rsplit_once("SUMMARY")
        .map_or(printed.as_str(), |(_, s)| s);
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
    let _ = std::fs::remove_dir_all(&report);
}
