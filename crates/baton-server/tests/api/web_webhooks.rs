//! Issue #5, item 5 (registration side): who may register, list and delete webhooks through
//! the API, the per-scope limit, and the settings page where a member adds and removes their
//! own (secret shown once, a refused URL shown again with its reason, CSRF like every form).
//! Sending is tested end to end in `crates/baton/tests/webhooks.rs`.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{TestApp, assert_problem};

/// A target every check accepts without a DNS lookup: a public address literal.
const PUBLIC: &str = "https://93.184.216.34/baton";

app_test!(
    the_settings_page_adds_a_webhook_shows_its_secret_once_and_deletes_it,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let browser = app.browser(&kim).await;

        let empty = app.page("/settings/webhooks", Some(&browser)).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.html().contains("No webhooks."));

        let refused = app
            .form(
                "/settings/webhooks",
                &browser,
                &[("url", "http://10.0.0.1/hook")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.html();
        assert!(html.contains("id=\"url-error\""), "{html}");
        assert!(
            html.contains("value=\"http://10.0.0.1/hook\""),
            "the input is kept"
        );

        let added = app
            .form("/settings/webhooks", &browser, &[("url", PUBLIC)])
            .await;
        assert_eq!(added.status, StatusCode::OK);
        let html = added.html();
        let secret = html
            .split("value=\"whsec_")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|hex| format!("whsec_{hex}"))
            .expect("the new secret on the page");
        assert_eq!(secret.len(), "whsec_".len() + 64);
        assert!(html.contains(PUBLIC));

        let later = app.page("/settings/webhooks", Some(&browser)).await;
        assert!(later.html().contains(PUBLIC));
        assert!(!later.html().contains(&secret), "the secret is shown once");

        let listed = app
            .get(&format!("/api/v1/members/{}/webhooks", kim.id), &kim)
            .await;
        assert_eq!(listed.status, StatusCode::OK);
        let hooks = listed.json["webhooks"].as_array().expect("a list").clone();
        assert_eq!(hooks.len(), 1, "the refused URL wrote nothing");
        let id = hooks[0]["id"].as_str().expect("an id").to_owned();

        // Without the CSRF token nothing is deleted.
        let forged = app
            .raw_form(
                &format!("/settings/webhooks/{id}/delete"),
                Some(&browser.cookie),
                &[],
            )
            .await;
        assert_ne!(forged.status, StatusCode::SEE_OTHER);
        let deleted = app
            .form(&format!("/settings/webhooks/{id}/delete"), &browser, &[])
            .await;
        assert_eq!(
            deleted.location(),
            "/settings/webhooks?saved=webhook_deleted"
        );
        let after = app.page(&deleted.location(), Some(&browser)).await;
        assert!(
            after.html().contains("Webhook deleted."),
            "{}",
            after.html()
        );
        let listed = app
            .get(&format!("/api/v1/members/{}/webhooks", kim.id), &kim)
            .await;
        assert_eq!(listed.json["webhooks"], json!([]));
    }
);

app_test!(
    members_own_their_webhooks_admins_see_and_remove_them_and_others_find_nothing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        let path = format!("/api/v1/members/{}/webhooks", kim.id);
        let created = app.post(&path, &kim, json!({"url": PUBLIC})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json);
        assert!(created.str("/secret").starts_with("whsec_"));
        assert_eq!(created.str("/scope"), "member");
        assert_eq!(created.str("/member_id"), kim.id);
        let id = created.str("/id");

        // Another member: cannot register for Kim, and Kim's webhook does not exist for them.
        let r = app.post(&path, &lee, json!({"url": PUBLIC})).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "registering for someone else");
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/webhooks/{id}"),
                Some(&lee.token),
                None,
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "deleting someone else's");

        // Unknown fields and a missing URL are refused.
        let r = app
            .post(&path, &kim, json!({"url": PUBLIC, "secret": "mine"}))
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field");
        let r = app.post(&path, &kim, json!({"url": ""})).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "an empty URL");
        assert_eq!(r.str("/field"), "url");

        // Five live webhooks at most.
        for n in 2..=5 {
            let r = app
                .post(&path, &kim, json!({"url": format!("{PUBLIC}/{n}")}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "webhook {n}");
        }
        let r = app.post(&path, &kim, json!({"url": PUBLIC})).await;
        assert_problem(&r, StatusCode::CONFLICT, "a sixth webhook");

        // The admin (here the owner) sees them, without secrets, and may remove one.
        let listed = app.get(&path, &owner).await;
        assert_eq!(listed.status, StatusCode::OK);
        let hooks = listed.json["webhooks"].as_array().expect("a list");
        assert_eq!(hooks.len(), 5);
        assert!(hooks.iter().all(|h| h.get("secret").is_none()));
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/webhooks/{id}"),
                Some(&owner.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/webhooks/{id}"),
                Some(&kim.token),
                None,
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::NOT_FOUND, "deleting twice");
    }
);

app_test!(
    a_space_webhook_is_managed_by_admins_and_the_space_creator_only,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        let space = app.space(&kim, "launch", "public").await;
        let path = format!("/api/v1/spaces/{space}/webhooks");

        let r = app.post(&path, &lee, json!({"url": PUBLIC})).await;
        assert_problem(
            &r,
            StatusCode::FORBIDDEN,
            "a member who only sees the space",
        );
        let mine = app.post(&path, &kim, json!({"url": PUBLIC})).await;
        assert_eq!(mine.status, StatusCode::CREATED, "{:?}", mine.json);
        assert_eq!(mine.str("/scope"), "space");
        assert_eq!(mine.str("/space_id"), space);
        let admins = app
            .post(&path, &owner, json!({"url": format!("{PUBLIC}/ops")}))
            .await;
        assert_eq!(admins.status, StatusCode::CREATED);

        let listed = app.get(&path, &kim).await;
        assert_eq!(listed.json["webhooks"].as_array().map(Vec::len), Some(2));
        let r = app.get(&path, &lee).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "listing without managing");
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/webhooks/{}", admins.str("/id")),
                Some(&lee.token),
                None,
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::FORBIDDEN, "deleting without managing");
        let r = app
            .call(
                "DELETE",
                &format!("/api/v1/webhooks/{}", admins.str("/id")),
                Some(&kim.token),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "the creator manages it");
    }
);
