//! `/healthz` and `/metrics` name the time zone database every local time is computed with.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::TestApp;

app_test!(
    health_answers_json_naming_the_tz_database_and_metrics_carry_it_as_an_info_gauge,
    |app: TestApp| async move {
        let tzdb = baton_core::tzdb::current();
        let (release, source) = (tzdb.release.as_str(), tzdb.source.as_str());
        let health = app.call("GET", "/healthz", None, None, &[]).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(
            health.json,
            json!({"status": "ok", "tzdb": {"release": release, "source": source}})
        );
        let metrics = app.call("GET", "/metrics", None, None, &[]).await;
        let text = metrics.json.as_str().unwrap_or_default();
        let gauge = format!("baton_tzdb_info{{release=\"{release}\",source=\"{source}\"}} 1\n");
        assert!(text.contains(&gauge), "{text}");
    }
);
