//! The OpenAPI document says what the API answers: properties a fuzzer found broken once,
//! checked here so they cannot come back without it (`.ci/schemathesis.sh` runs the fuzzer).

use std::collections::HashSet;

use axum::http::StatusCode;
use baton_server::state::WebSettings;
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn document() -> Value {
    serde_json::to_value(baton_server::routes::ApiDoc::openapi()).expect("a JSON document")
}

/// Every operation as (`METHOD path`, operation).
fn operations(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((format!("{} {path}", method.to_uppercase()), op.clone()));
            }
        }
    }
    out
}

fn parameters<'a>(op: &'a Value, place: &'a str) -> impl Iterator<Item = &'a Value> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |p| p["in"] == place)
}

fn documents(op: &Value, status: &str) -> bool {
    op["responses"].get(status).is_some()
}

/// The document as `GET /api/v1/openapi.json` serves it, pretty-printed, so every change to
/// the API's contract shows in review (accept one as `snapshot_pages` says). On SQLite only:
/// the document does not depend on the backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_matches_its_snapshot() {
    let app = TestApp::with_web(
        baton_store::conformance::sqlite_store().await,
        WebSettings::default(),
    );
    let r = app
        .call("GET", "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let pretty = serde_json::to_string_pretty(&r.json).expect("a JSON document");
    insta::assert_snapshot!("openapi.json", pretty);
}

#[test]
fn every_operation_that_needs_a_token_documents_401() {
    let doc = document();
    for (name, op) in operations(&doc) {
        let public = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .all(|r| r.as_object().is_some_and(|r| r.is_empty()))
        });
        if !public {
            assert!(documents(&op, "401"), "{name} does not document 401");
        }
    }
}

#[test]
fn every_path_parameter_in_a_template_is_declared_as_a_uuid() {
    let doc = document();
    for (name, op) in operations(&doc) {
        let path = name.split_once(' ').map(|(_, p)| p).unwrap_or_default();
        let in_template: HashSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let declared: HashSet<&str> = parameters(&op, "path")
            .map(|p| p["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(declared, in_template, "{name}: path parameters");
        for p in parameters(&op, "path") {
            assert_eq!(p["required"], true, "{name}: {p}");
            assert_eq!(p["schema"]["format"], "uuid", "{name}: {p}");
        }
        if !in_template.is_empty() {
            assert!(documents(&op, "404"), "{name} does not document 404");
        }
    }
}

#[test]
fn every_error_answer_is_documented_as_problem_json() {
    let doc = document();
    for (name, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().expect("responses") {
            if status.starts_with(['4', '5']) {
                let content = response["content"].as_object().expect("content");
                let types: Vec<&String> = content.keys().collect();
                assert_eq!(types, ["application/problem+json"], "{name} {status}");
            }
        }
    }
}

#[test]
fn every_operation_with_a_json_body_documents_what_the_body_extractor_answers() {
    let doc = document();
    for (name, op) in operations(&doc) {
        if op.get("requestBody").is_some() {
            for status in ["400", "413", "415", "422"] {
                assert!(documents(&op, status), "{name} does not document {status}");
            }
        }
        if parameters(&op, "header").any(|p| p["name"] == "Idempotency-Key") {
            for status in ["400", "409"] {
                assert!(documents(&op, status), "{name} does not document {status}");
            }
        }
        if parameters(&op, "query").next().is_some() {
            assert!(documents(&op, "422"), "{name} does not document 422");
        }
    }
}

#[test]
fn every_list_limit_declares_its_minimum_and_maximum() {
    let doc = document();
    let mut limits = 0;
    for (name, op) in operations(&doc) {
        for p in parameters(&op, "query").filter(|p| p["name"] == "limit") {
            limits += 1;
            assert_eq!(p["schema"]["minimum"], 1, "{name}: {p}");
            assert_eq!(
                p["schema"]["maximum"],
                baton_core::page::MAX_PAGE,
                "{name}: {p}"
            );
        }
    }
    assert!(limits > 0, "no list takes a limit");
}

#[test]
fn query_structs_are_documented_in_the_query_not_in_the_path() {
    let doc = document();
    let asks = &doc["paths"]["/api/v1/asks"]["get"];
    let names: Vec<&str> = parameters(asks, "query")
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["direction", "state"]);
    let state = parameters(asks, "query").find(|p| p["name"] == "state");
    assert_eq!(state.map(|p| &p["required"]), Some(&Value::Bool(false)));
}

#[test]
fn operation_ids_are_unique() {
    let doc = document();
    let mut seen = HashSet::new();
    for (name, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(
            seen.insert(id.clone()),
            "{name}: operationId {id} is used twice"
        );
    }
}

#[test]
fn the_inbox_stream_documents_each_event_with_its_data_as_json_counters() {
    let doc = document();
    let mut ok = &doc["paths"]["/api/v1/inbox/stream"]["get"]["responses"]["200"]["content"]["text/event-stream"]
        ["schema"];
    if let Some(name) = ok["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        ok = &doc["components"]["schemas"][name];
    }
    assert_eq!(ok["properties"]["data"]["type"], "string", "{ok}");
    assert_eq!(
        ok["properties"]["data"]["contentMediaType"],
        "application/json"
    );
    assert_eq!(
        ok["properties"]["data"]["contentSchema"]["$ref"],
        "#/components/schemas/InboxCounters"
    );
    assert!(doc["components"]["schemas"]["InboxCounters"].is_object());
}

app_test!(
    a_malformed_query_string_answers_422_as_documented,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let missing = app.get("/api/v1/asks", &owner).await;
        assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY, "no direction");
        let unknown = app
            .get("/api/v1/asks?direction=to_me&colour=red", &owner)
            .await;
        assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
        let bad_type = app.get("/api/v1/members?limit=many", &owner).await;
        assert_problem(
            &bad_type,
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit not a number",
        );
    }
);

app_test!(
    a_body_that_is_not_a_json_object_is_refused,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let path = format!("/api/v1/members/{}/policy", owner.id);
        let array = app
            .call("PUT", &path, Some(&owner.token), Some(json!([])), &[])
            .await;
        assert_problem(&array, StatusCode::UNPROCESSABLE_ENTITY, "an array body");
    }
);

app_test!(
    a_whole_number_written_with_a_fraction_is_an_integer,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let r = app
            .call(
                "PATCH",
                "/api/v1/workspace/settings",
                Some(&owner.token),
                Some(json!({"urgent_budget": 8.0})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
        assert_eq!(r.json["urgent_budget"], 8);
        let half = app
            .call(
                "PATCH",
                "/api/v1/workspace/settings",
                Some(&owner.token),
                Some(json!({"urgent_budget": 8.5})),
                &[],
            )
            .await;
        assert_problem(&half, StatusCode::UNPROCESSABLE_ENTITY, "a fraction");
    }
);

app_test!(
    a_path_id_that_does_not_decode_answers_404_as_documented,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let r = app.get("/api/v1/threads/%FF%FE", &owner).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "undecodable id");
    }
);
