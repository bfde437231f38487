//! The shipped manifest, the JSON Schema, and the validator agree.

use bold360_api_spec::{embedded_sources, Manifest, SourceFile, SCHEMA};
use serde_json::{json, Value};

fn schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema.json is JSON");
    jsonschema::validator_for(&schema).expect("schema.json is a valid JSON Schema")
}

#[test]
fn every_method_file_validates_against_the_schema() {
    let validator = schema();
    let sources = embedded_sources();
    assert!(sources.len() >= 29, "every documented method is shipped");
    for file in &sources {
        let value: Value = serde_json::from_str(&file.text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.path);
    }
    Manifest::embedded().expect("and passes the validator");
}

#[test]
fn the_embedded_files_are_exactly_the_directory() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/methods");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| format!("methods/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = embedded_sources().into_iter().map(|s| s.path).collect();
    assert_eq!(
        embedded, on_disk,
        "the build script embeds every file (a stale build would differ)"
    );
    for source in embedded_sources() {
        let text =
            std::fs::read_to_string(format!("{}/{}", env!("CARGO_MANIFEST_DIR"), source.path))
                .unwrap();
        assert_eq!(
            text, source.text,
            "{} is embedded as it is on disk",
            source.path
        );
    }
}

fn base() -> Value {
    json!({
        "name": "getThing",
        "versions": ["v1", "v2"],
        "kind": "read",
        "description": "x",
        "data": "object",
        "params": [
            { "name": "ThingID", "type": "id", "required": true, "versions": ["v1", "v2"], "description": "x" },
            { "name": "PageStart", "type": "integer", "required": false, "versions": ["v1"], "description": "x" },
            { "name": "PageSize", "type": "integer", "required": false, "versions": ["v1"], "description": "x" }
        ],
        "paging": { "v1": { "style": "offset", "start_param": "PageStart", "size_param": "PageSize", "start_unit": "records" } },
        "max_page_size": 1000,
        "returns": [{ "name": "Kind", "type": "enum:Kind" }],
        "enums": { "Kind": { "1": "one" } },
        "docs": []
    })
}

fn check(value: &Value) -> Vec<String> {
    let file = SourceFile {
        path: "methods/getThing.json".into(),
        text: value.to_string(),
    };
    match Manifest::from_sources(&[file]) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_valid_file_passes_both() {
    assert!(check(&base()).is_empty());
    assert!(schema().is_valid(&base()));
}

#[test]
fn every_problem_is_reported_at_once_with_its_pointer() {
    let mut bad = base();
    bad["params"][0]["type"] = json!("uuid");
    bad["params"][1]["versions"] = json!(["v3"]);
    bad["params"][2]["required"] = json!("no");
    bad["kind"] = json!("delete");
    bad["returns"][0]["type"] = json!("enum:Missing");
    bad["paging"]["v2"] = json!({ "style": "cursor", "cursor_param": "NextPage" });
    bad["surprise"] = json!(1);
    bad.as_object_mut().unwrap().remove("docs");
    let problems = check(&bad);
    let expected = [
        "methods/getThing.json: /params/0/type: unknown type \"uuid\"",
        "methods/getThing.json: /params/1/versions/0: expected \"v1\" or \"v2\", got \"v3\"",
        "methods/getThing.json: /params/2/required: expected true or false",
        "methods/getThing.json: /kind: expected one of [\"read\", \"write\"], got \"delete\"",
        "methods/getThing.json: /returns/0/type: type \"enum:Missing\" names an enum that is not defined",
        "methods/getThing.json: /paging/v2/cursor_param: \"NextPage\" is not a parameter of this method",
        "methods/getThing.json: /surprise: unknown key \"surprise\"",
        "methods/getThing.json: missing required key \"docs\"",
    ];
    for e in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(e)),
            "missing {e:?} in {problems:#?}"
        );
    }
    assert!(!schema().is_valid(&bad), "the schema rejects it too");
}

#[test]
fn schema_and_validator_agree_on_single_mistakes() {
    let validator = schema();
    let mutations: Vec<(&str, Value)> = vec![
        ("/params/0/type", json!("uuid")),
        ("/versions", json!([])),
        ("/data", json!("list")),
        ("/max_page_size", json!(0)),
        ("/params/0/name", json!("Thing ID")),
        ("/paging/v1/start_unit", json!("bytes")),
    ];
    for (pointer, value) in mutations {
        let mut bad = base();
        *bad.pointer_mut(pointer).unwrap() = value;
        assert!(!check(&bad).is_empty(), "validator accepts {pointer}");
        assert!(!validator.is_valid(&bad), "schema accepts {pointer}");
    }
}

#[test]
fn file_names_and_duplicates_across_files() {
    let a = SourceFile {
        path: "methods/getThing.json".into(),
        text: base().to_string(),
    };
    let mut other = base();
    other["aliases"] = json!(["getThing"]);
    other["name"] = json!("getOther");
    let b = SourceFile {
        path: "methods/getOther.json".into(),
        text: other.to_string(),
    };
    let c = SourceFile {
        path: "methods/wrongName.json".into(),
        text: base().to_string(),
    };
    let problems: Vec<String> = Manifest::from_sources(&[a, b, c])
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("duplicate method \"getThing\"")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("must be in a file named getThing.json")),
        "{problems:#?}"
    );
}

#[test]
fn aliases_find_methods() {
    let m = Manifest::embedded().unwrap();
    assert_eq!(
        m.method("getAllAccessAuditLogs").unwrap().name,
        "getAllAuditLogs"
    );
}

#[test]
fn passwords_are_marked_sensitive() {
    let m = Manifest::embedded().unwrap();
    for method in ["createOperatorFromTemplate", "operatorLoginControl"] {
        let p = m.method(method).unwrap().param("Password").unwrap();
        assert!(p.sensitive, "{method}.Password");
    }
    let flag = m
        .method("operatorLoginControl")
        .unwrap()
        .param("ForcePasswordChangeOnNextLogin")
        .unwrap();
    assert!(!flag.sensitive);
}
