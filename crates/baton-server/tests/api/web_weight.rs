//! Web pages stay one round trip under 100 KiB of HTML at full page size.

use axum::http::StatusCode;

use crate::app_test;
use crate::common::TestApp;

/// The page budget.
const MAX_PAGE_BYTES: usize = 100 * 1024;

app_test!(
    a_full_admin_members_page_stays_under_the_budget,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        for i in 0..45 {
            let r = app
            .post(
                "/api/v1/members",
                &owner,
                serde_json::json!({"email": format!("person{i}@acme.example"), "name": format!("Person With A Long Name {i}"), "timezone": "America/Argentina/Buenos_Aires"}),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
        }
        let browser = app.browser(&owner).await;

        let page = app.page("/admin/members", Some(&browser)).await;

        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.bytes.len() < MAX_PAGE_BYTES,
            "{} bytes",
            page.bytes.len()
        );
        assert!(
            page.html().contains("More members"),
            "the rest is one link away"
        );
        let people = app.page("/people", Some(&browser)).await;
        assert!(
            people.bytes.len() < MAX_PAGE_BYTES,
            "{} bytes",
            people.bytes.len()
        );
    }
);
