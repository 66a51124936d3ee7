//! The page of a space's webhooks (`/spaces/{id}/webhooks`): its creator and workspace admins
//! add one (secret shown once, with how to check a signature), see a refused URL again with
//! its reason and nothing written, and delete one; everyone else gets the 403 page, or the 404
//! page when they cannot see the space; every form needs its CSRF token. The API behind it is
//! tested in `web_webhooks.rs` and the authorization matrix.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, Browser, TestApp};

/// A target every check accepts without a DNS lookup: a public address literal.
const PUBLIC: &str = "https://93.184.216.34/baton";

/// The ids of the live webhooks of `space`, as `who` lists them through the API.
async fn hook_ids(app: &TestApp, who: &Actor, space: &str) -> Vec<String> {
    let listed = app
        .get(&format!("/api/v1/spaces/{space}/webhooks"), who)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.json);
    listed.json["webhooks"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|h| h["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The `whsec_…` secret shown in `html`, if any.
fn secret_in(html: &str) -> Option<String> {
    html.split("value=\"whsec_")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|hex| format!("whsec_{hex}"))
}

/// Adds `url` through the page's form as `browser`.
async fn add(app: &TestApp, browser: &Browser, space: &str, url: &str) -> crate::common::Reply {
    app.form(
        &format!("/spaces/{space}/webhooks"),
        browser,
        &[("url", url)],
    )
    .await
}

app_test!(
    the_space_creator_adds_a_webhook_sees_its_secret_once_and_deletes_it,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let space = app.space(&kim, "launch", "public").await;
        let browser = app.browser(&kim).await;
        let page = format!("/spaces/{space}/webhooks");

        let space_page = app.page(&format!("/spaces/{space}"), Some(&browser)).await;
        assert!(
            space_page.html().contains(&format!("href=\"{page}\"")),
            "the creator is offered the page"
        );
        let empty = app.page(&page, Some(&browser)).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.html().contains("No webhooks."), "{}", empty.html());

        let added = add(&app, &browser, &space, PUBLIC).await;
        assert_eq!(added.status, StatusCode::OK);
        let html = added.html();
        let secret = secret_in(&html).expect("the new secret on the page");
        assert_eq!(secret.len(), "whsec_".len() + 64);
        assert!(html.contains("Copy it now; it will not be shown again."));
        assert!(
            html.contains("X-Baton-Signature")
                && html.contains("sha256=")
                && html.contains("openssl dgst -sha256 -hmac"),
            "how to check a signature is shown with the secret: {html}"
        );
        assert!(html.contains(PUBLIC));

        let later = app.page(&page, Some(&browser)).await;
        assert_eq!(later.status, StatusCode::OK);
        let html = later.html();
        assert!(html.contains(PUBLIC), "{html}");
        assert!(html.contains("added by kim"), "who added it: {html}");
        assert!(!html.contains(&secret), "the secret is shown once");
        assert!(secret_in(&html).is_none(), "no secret field on a reload");

        let ids = hook_ids(&app, &kim, &space).await;
        assert_eq!(ids.len(), 1);
        let delete = format!("{page}/{}/delete", ids[0]);

        // Without the CSRF token nothing is added or deleted.
        let forged = app
            .raw_form(&page, Some(&browser.cookie), &[("url", PUBLIC)])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let forged = app.raw_form(&delete, Some(&browser.cookie), &[]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let forged = app
            .raw_form(
                &delete,
                Some(&browser.cookie),
                &[("csrf", "0".repeat(64).as_str())],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "a wrong token");
        assert_eq!(hook_ids(&app, &kim, &space).await, ids);

        let deleted = app.form(&delete, &browser, &[]).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(deleted.location(), format!("{page}?saved=webhook_deleted"));
        let after = app.page(&deleted.location(), Some(&browser)).await;
        assert!(after.html().contains("Webhook deleted."));
        assert!(after.html().contains("No webhooks."));
        assert!(hook_ids(&app, &kim, &space).await.is_empty());
    }
);

app_test!(
    a_refused_url_is_shown_next_to_the_field_and_nothing_is_written,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "ops", "public").await;
        let browser = app.browser(&owner).await;

        for (url, reason) in [
            ("http://10.0.0.1/hook", "webhooks may not reach 10.0.0.1"),
            ("not a url", "this is not an absolute URL"),
            ("", "a webhook needs a URL"),
        ] {
            let refused = add(&app, &browser, &space, url).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
            let html = refused.html();
            assert!(
                html.contains(&format!(
                    "<p class=\"field-error\" id=\"url-error\">{reason}"
                )),
                "{url}: {html}"
            );
            assert!(html.contains("aria-describedby=\"url-error\""), "{url}");
            assert!(
                html.contains(&format!("value=\"{url}\"")),
                "{url}: the input is kept"
            );
            assert!(secret_in(&html).is_none(), "{url}: no secret");
        }
        assert!(
            hook_ids(&app, &owner, &space).await.is_empty(),
            "the refused URLs wrote nothing"
        );
    }
);

app_test!(
    who_cannot_manage_a_spaces_webhooks_gets_403_and_who_cannot_see_it_404,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let kim = app.member(&owner, "kim", "member").await;
        let lee = app.member(&owner, "lee", "member").await;
        let guest = app.member(&owner, "gus", "guest").await;
        let public = app.space(&kim, "launch", "public").await;
        let private = app.space(&kim, "plans", "private").await;
        app.join(&kim, &private, &guest).await;
        let (kim_b, lee_b, guest_b, owner_b) = (
            app.browser(&kim).await,
            app.browser(&lee).await,
            app.browser(&guest).await,
            app.browser(&owner).await,
        );
        let hook = app
            .post(
                &format!("/api/v1/spaces/{public}/webhooks"),
                &kim,
                json!({"url": PUBLIC}),
            )
            .await
            .str("/id");
        let private_hook = app
            .post(
                &format!("/api/v1/spaces/{private}/webhooks"),
                &kim,
                json!({"url": PUBLIC}),
            )
            .await
            .str("/id");

        // A plain member sees the public space but not its webhooks, nor the link to them.
        let space_page = app.page(&format!("/spaces/{public}"), Some(&lee_b)).await;
        assert_eq!(space_page.status, StatusCode::OK);
        assert!(
            !space_page.html().contains("/webhooks\""),
            "no link for lee"
        );
        let page = format!("/spaces/{public}/webhooks");
        let r = app.page(&page, Some(&lee_b)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!r.html().contains(PUBLIC), "nothing of the list shows");
        let r = add(&app, &lee_b, &public, PUBLIC).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .form(&format!("{page}/{hook}/delete"), &lee_b, &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // A guest in the private space sees it but does not manage it.
        let r = app
            .page(&format!("/spaces/{private}/webhooks"), Some(&guest_b))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Someone outside the private space gets the page of something that does not exist.
        let missing = app
            .page(
                &format!("/spaces/{}/webhooks", baton_core::Id::random()),
                Some(&lee_b),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let hidden_page = format!("/spaces/{private}/webhooks");
        let r = app.page(&hidden_page, Some(&lee_b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.bytes, missing.bytes, "hidden and missing look the same");
        let r = add(&app, &lee_b, &private, PUBLIC).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .form(&format!("{hidden_page}/{private_hook}/delete"), &lee_b, &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.page("/spaces/not-an-id/webhooks", Some(&kim_b)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // A webhook is deleted only from its own space's page, even by whoever manages both.
        let r = app
            .form(&format!("{page}/{private_hook}/delete"), &kim_b, &[])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(hook_ids(&app, &kim, &private).await, vec![private_hook]);

        // Signed out: sign in first.
        let r = app.page(&page, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.location().starts_with("/signin?next="),
            "{}",
            r.location()
        );

        // A workspace admin manages any space's webhooks, with the link on the space's page.
        let space_page = app.page(&format!("/spaces/{public}"), Some(&owner_b)).await;
        assert!(space_page.html().contains(&format!("href=\"{page}\"")));
        let r = app.page(&page, Some(&owner_b)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.html().contains(PUBLIC));
        let r = app
            .form(&format!("{page}/{hook}/delete"), &owner_b, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(hook_ids(&app, &kim, &public).await.is_empty());
    }
);
