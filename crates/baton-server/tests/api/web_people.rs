//! Web pages: people, profiles, settings and administration (tests through the real router, on
//! both backends).

use axum::http::StatusCode;
use baton_core::model::Member;
use baton_core::role::Role;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, Browser, Reply, TestApp};

const PASSWORD: &str = "correct horse battery";

/// A member of `admin`'s workspace with a password and an API token.
async fn with_password(app: &TestApp, admin: &Actor, handle: &str) -> Actor {
    let email = format!("{handle}@example.com");
    app.member_with_password(admin, &email, PASSWORD, "member")
        .await
}

/// The browser that a response's new session cookie makes.
fn new_browser(r: &Reply) -> Browser {
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("baton_session="))
        .expect("a new session cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_owned();
    Browser {
        csrf: baton_server::services::sessions::csrf_token(
            cookie.trim_start_matches("baton_session="),
        ),
        cookie,
    }
}

/// A member as stored, whatever workspace they are in.
async fn stored_member(app: &TestApp, id: &str) -> Member {
    let id: baton_core::Id = id.parse().expect("a member id");
    for ws in app.store.workspaces().await.expect("workspaces") {
        if let Ok(member) = app.store.member(ws.id, id).await {
            return member;
        }
    }
    panic!("no member {id} in the store");
}

async fn member_count(app: &TestApp, by: &Actor) -> usize {
    app.get("/api/v1/members", by).await.json["members"]
        .as_array()
        .expect("members")
        .len()
}

fn assert_redirect(r: &Reply, to: &str) {
    assert_eq!(
        (r.status, r.location().as_str()),
        (StatusCode::SEE_OTHER, to),
        "{}",
        r.html()
    );
}

app_test!(
    the_directory_shows_local_time_and_working_hours_never_presence,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let browser = app.browser(&owner).await;

        // Monday 12:00 UTC: 21:00 in Tokyo, after Ada's day; 13:00 in Berlin for the viewer.
        let r = app.page("/people", Some(&browser)).await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.html();
        assert!(html.contains(&format!("href=\"/people/{}\" data-nav-item", ada.id)));
        assert!(html.contains("21:00</time> Tokyo"), "{html}");
        assert!(
            html.contains("back Tue 09:00 Tokyo · your Tue 01:00"),
            "{html}"
        );
        assert!(html.contains("13:00</time> Berlin"), "the viewer too");

        // Tuesday 01:00 UTC: 10:00 in Tokyo.
        app.clock
            .set("2026-03-03T01:00:00Z".parse().expect("an instant"));
        let html = app.page("/people", Some(&browser)).await.html();
        assert!(
            html.contains("10:00</time> Tokyo · <span class=\"working\">working now</span>"),
            "{html}"
        );
        assert!(html.contains("back Tue 09:00"), "Berlin is asleep: {html}");
        let lower = html.to_lowercase();
        for word in ["online", "away", "last seen"] {
            assert!(!lower.contains(word), "{word} in {html}");
        }
    }
);

app_test!(
    a_profile_shows_hours_and_overlap_and_other_workspaces_are_missing,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let stranger = app.workspace("Other").await;
        app.set_schedule(&ada,
            json!({"timezone": "Asia/Tokyo", "weekly": {
                "mon": [["09:00", "19:00"]], "tue": [["09:00", "19:00"]], "wed": [["09:00", "19:00"]],
                "thu": [["09:00", "19:00"]], "fri": [["09:00", "19:00"]]}}),
        )
        .await;
        let browser = app.browser(&owner).await;

        let r = app
            .page(&format!("/people/{}", ada.id), Some(&browser))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.html();
        assert!(html.contains("ada-"), "email: {html}");
        assert!(html.contains("Asia/Tokyo") && html.contains("09:00–19:00"));
        // Tokyo 09:00–19:00 meets Berlin 09:00–17:00 from 09:00 to 11:00 Berlin time, on
        // Tuesday to Friday and next Monday morning.
        assert!(html.contains("Tue 3 Mar 09:00–11:00"), "{html}");
        assert!(html.contains("10 hours in the next 7 days"), "{html}");

        for path in [
            format!("/people/{}", stranger.id),
            "/people/not-an-id".to_owned(),
        ] {
            let r = app.page(&path, Some(&browser)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.html().contains("not shared with you"));
        }
    }
);

app_test!(
    the_profile_form_changes_name_and_zone_or_explains_why_not,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        app.set_schedule(
            &owner,
            json!({"timezone": "Europe/Berlin", "weekly": {"mon": [["08:00", "16:00"]]}}),
        )
        .await;
        let browser = app.browser(&owner).await;
        let page = app.page("/settings", Some(&browser)).await.html();
        assert!(page.contains("<label for=\"name\">Name</label>"));
        assert!(page.contains("<label for=\"timezone\">Time zone</label>"));

        let bad = app
            .form(
                "/settings/profile",
                &browser,
                &[("name", "Grace"), ("timezone", "Mars/Olympus")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.html();
        assert!(html.contains("id=\"timezone-error\""), "{html}");
        assert!(html.contains("value=\"Grace\""), "input kept");
        let stored = stored_member(&app, &owner.id).await;
        assert_eq!(
            (stored.name.as_str(), stored.timezone.as_str()),
            ("Acme Owner", "Europe/Berlin"),
            "nothing written"
        );

        let ok = app
            .form(
                "/settings/profile",
                &browser,
                &[("name", "Grace"), ("timezone", "America/Sao_Paulo")],
            )
            .await;
        assert_redirect(&ok, "/settings?saved=profile");
        let stored = stored_member(&app, &owner.id).await;
        assert_eq!(
            (stored.name.as_str(), stored.timezone.as_str()),
            ("Grace", "America/Sao_Paulo")
        );
        let schedule = app
            .get(&format!("/api/v1/members/{}/schedule", owner.id), &owner)
            .await;
        assert_eq!(
            (
                schedule.str("/timezone"),
                schedule.json["weekly"]["mon"].clone()
            ),
            ("America/Sao_Paulo".to_owned(), json!([["08:00", "16:00"]])),
            "the hours moved with the zone"
        );
        let after = app.page("/settings?saved=profile", Some(&browser)).await;
        assert!(after.html().contains("Profile saved."));
    }
);

app_test!(
    a_password_change_keeps_this_browser_and_signs_out_the_others,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let grace = with_password(&app, &owner, "grace").await;
        let this = app.browser(&grace).await;
        let other = app.browser(&grace).await;

        let wrong = app
            .form(
                "/settings/password",
                &this,
                &[
                    ("current_password", "not my password"),
                    ("new_password", "a brand new secret"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.html().contains("id=\"current_password-error\""));
        assert_eq!(app.page("/", Some(&other)).await.location(), "/inbox");

        let ok = app
            .form(
                "/settings/password",
                &this,
                &[
                    ("current_password", PASSWORD),
                    ("new_password", "a brand new secret"),
                ],
            )
            .await;
        assert_redirect(&ok, "/settings?saved=password");
        let renewed = new_browser(&ok);
        let page = app.page("/settings", Some(&renewed)).await;
        assert_eq!(page.status, StatusCode::OK, "the new cookie works");
        for old in [&this, &other] {
            assert_eq!(
                app.page("/", Some(old)).await.location(),
                "/signin",
                "the old session ended"
            );
        }
    }
);

app_test!(
    a_token_is_shown_once_works_and_stops_when_revoked,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = with_password(&app, &owner, "ada").await;
        let browser = app.browser(&ada).await;

        let refused = app
            .form(
                "/settings/tokens",
                &browser,
                &[
                    ("label", "laptop CLI"),
                    ("token_password", "not my password"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .html()
                .contains("This is not your current password.")
        );
        let listed = app
            .get(&format!("/api/v1/members/{}/tokens", ada.id), &ada)
            .await;
        assert_eq!(
            listed.json["tokens"].as_array().map(Vec::len),
            Some(1),
            "a session without the password mints nothing"
        );

        let r = app
            .form(
                "/settings/tokens",
                &browser,
                &[("label", "laptop CLI"), ("token_password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.html();
        assert!(html.contains("Copy it now; it will not be shown again."));
        let secret = html
            .split("id=\"new-token\" class=\"secret\" readonly value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the secret on the page")
            .to_owned();
        let me = app
            .call("GET", "/api/v1/me", Some(&secret), None, &[])
            .await;
        assert_eq!(me.status, StatusCode::OK, "the token authenticates");
        let later = app.page("/settings", Some(&browser)).await.html();
        assert!(later.contains("laptop CLI") && !later.contains(&secret));

        let tokens = app
            .get(&format!("/api/v1/members/{}/tokens", ada.id), &ada)
            .await;
        let id = tokens.json["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .find(|t| t["label"] == "laptop CLI")
            .and_then(|t| t["id"].as_str())
            .expect("the new token")
            .to_owned();
        let revoked = app
            .form(&format!("/settings/tokens/{id}/revoke"), &browser, &[])
            .await;
        assert_redirect(&revoked, "/settings?saved=revoked");
        let me = app
            .call("GET", "/api/v1/me", Some(&secret), None, &[])
            .await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED);
        let missing = app
            .form("/settings/tokens/not-an-id/revoke", &browser, &[])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

app_test!(
    the_schedule_form_saves_hours_and_refuses_bad_times_next_to_the_row,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let browser = app.browser(&ada).await;
        let page = app.page("/settings/schedule", Some(&browser)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains(">Monday start 1</label>") && html.contains(">Sunday end 3</label>"));
        assert!(
            html.contains("value=\"09:00\""),
            "the default hours are filled in"
        );

        let ok = app
            .form(
                "/settings/schedule",
                &browser,
                &[
                    ("mon_start_1", "08:00"),
                    ("mon_end_1", "12:00"),
                    ("mon_start_2", ""),
                    ("mon_end_2", ""),
                    ("mon_start_3", "13:00"),
                    ("mon_end_3", "16:00"),
                    ("tue_start_1", "09:00"),
                    ("tue_end_1", "17:00"),
                    ("off_start", "2026-03-03"),
                    ("off_end", ""),
                    ("focus_start_1", "09:00"),
                    ("focus_end_1", "11:00"),
                    ("focus_days_1", "tue"),
                ],
            )
            .await;
        assert_redirect(&ok, "/settings/schedule?saved=schedule");
        let path = format!("/api/v1/members/{}/schedule", ada.id);
        let stored = app.get(&path, &ada).await.json;
        assert_eq!(
            stored["weekly"]["mon"],
            json!([["08:00", "12:00"], ["13:00", "16:00"]])
        );
        assert_eq!(stored["weekly"]["wed"], json!([]));
        assert_eq!(
            stored["time_off"],
            json!([{"start": "2026-03-03", "end": "2026-03-03"}]),
            "a first day alone is one day off"
        );
        assert_eq!(
            stored["focus"],
            json!([{"days": ["tue"], "start": "09:00", "end": "11:00"}])
        );

        // The preview starts today in Tokyo (Monday 2 March, 21:00 there).
        let html = app
            .page("/settings/schedule?saved=schedule", Some(&browser))
            .await
            .html();
        assert!(html.contains("Working hours saved."));
        assert!(
            html.contains("<th scope=\"row\">Mon 2 Mar</th><td>08:00–12:00, 13:00–16:00</td>"),
            "{html}"
        );
        assert!(html.contains("<th scope=\"row\">Tue 3 Mar</th><td>time off</td>"));
        assert!(html.contains("<th scope=\"row\">Wed 4 Mar</th><td>not working</td>"));
        assert!(html.contains("<th scope=\"row\">Sun 8 Mar</th>"));

        for (fields, row) in [
            (
                &[
                    ("mon_start_1", "08:00"),
                    ("mon_end_1", "12:00"),
                    ("mon_start_2", "25:00"),
                    ("mon_end_2", "26:00"),
                ][..],
                "mon_2",
            ),
            (
                &[("tue_start_1", "10:00"), ("tue_end_1", "10:00")][..],
                "tue_1",
            ),
            (&[("wed_start_1", "10:00"), ("wed_end_1", "")][..], "wed_1"),
        ] {
            let bad = app.form("/settings/schedule", &browser, fields).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{row}");
            let html = bad.html();
            assert!(
                html.contains(&format!("id=\"{row}-error\"")),
                "{row}: {html}"
            );
            assert!(
                html.contains(&format!("aria-describedby=\"{row}-error\"")),
                "{row}"
            );
            assert_eq!(app.get(&path, &ada).await.json, stored, "nothing written");
        }
        let bad = app
            .form(
                "/settings/schedule",
                &browser,
                &[("mon_start_2", "25:00"), ("mon_end_2", "26:00")],
            )
            .await;
        assert!(
            bad.html()
                .contains("&#39;25:00&#39; is not a wall-clock time")
                || bad.html().contains("'25:00' is not a wall-clock time"),
            "the core's words: {}",
            bad.html()
        );
        assert!(bad.html().contains("value=\"25:00\""), "input kept");
    }
);

app_test!(
    a_delivery_window_outside_working_hours_is_saved_with_a_warning,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let browser = app.browser(&ada).await;
        let page = app
            .page("/settings/notifications", Some(&browser))
            .await
            .html();
        assert!(page.contains(">Delivery time 1</label>") && page.contains("value=\"09:00\""));
        assert!(!page.contains("outside your working hours"));

        let ok = app
            .form(
                "/settings/notifications",
                &browser,
                &[
                    ("window", "07:00"),
                    ("window", "start"),
                    ("window", ""),
                    ("events", "asks"),
                ],
            )
            .await;
        assert_redirect(&ok, "/settings/notifications?saved=notifications");
        let policy = app
            .get(&format!("/api/v1/members/{}/policy", ada.id), &ada)
            .await
            .json;
        assert_eq!(policy["windows"], json!(["start", "07:00"]));
        assert_eq!(policy["email_digest"], json!(false));
        assert_eq!(
            (
                policy["events"]["asks"].clone(),
                policy["events"]["replies"].clone()
            ),
            (json!(true), json!(false))
        );
        let html = app
            .page("/settings/notifications", Some(&browser))
            .await
            .html();
        assert!(
            html.contains("This window is outside your working hours: 07:00"),
            "{html}"
        );

        let bad = app
            .form("/settings/notifications", &browser, &[("window", "9am")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.html().contains("id=\"windows-error\"") && bad.html().contains("value=\"9am\"")
        );
        let again = app
            .get(&format!("/api/v1/members/{}/policy", ada.id), &ada)
            .await
            .json;
        assert_eq!(again["windows"], policy["windows"], "nothing written");
    }
);

app_test!(
    admins_add_members_and_others_are_refused,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let admin = app.browser(&owner).await;
        let page = app.page("/admin/members", Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.html().contains("Create member") && page.html().contains(">Change role</button>")
        );

        let fields = [
            ("name", "Lin"),
            ("email", "lin@example.com"),
            ("timezone", "Australia/Sydney"),
            ("password", PASSWORD),
            ("role", "guest"),
        ];
        let bad = app
            .form(
                "/admin/members",
                &admin,
                &[
                    ("name", "Lin"),
                    ("email", "not-an-email"),
                    ("timezone", "Australia/Sydney"),
                    ("password", ""),
                    ("role", "member"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.html().contains("id=\"email-error\"") && bad.html().contains("value=\"Lin\""));

        let before = member_count(&app, &owner).await;
        let member = app.browser(&ada).await;
        for path in ["/admin/members", "/admin/spaces"] {
            assert_eq!(
                app.page(path, Some(&member)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let refused = app.form("/admin/members", &member, &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(member_count(&app, &owner).await, before, "nothing written");

        let ok = app.form("/admin/members", &admin, &fields).await;
        assert_redirect(&ok, "/admin/members?saved=created");
        assert_eq!(member_count(&app, &owner).await, before + 1);
        let html = app
            .page("/admin/members?saved=created", Some(&admin))
            .await
            .html();
        assert!(html.contains("Member added.") && html.contains("lin@example.com"));

        let role = app
            .form(
                &format!("/admin/members/{}/role", ada.id),
                &admin,
                &[("role", "guest")],
            )
            .await;
        assert_redirect(&role, "/admin/members?saved=role");
        assert_eq!(stored_member(&app, &ada.id).await.role, Role::Guest);
        let self_promotion = app
            .form(
                &format!("/admin/members/{}/role", owner.id),
                &admin,
                &[("role", "member")],
            )
            .await;
        assert_eq!(
            self_promotion.status,
            StatusCode::FORBIDDEN,
            "owners stay owners"
        );
    }
);

app_test!(
    deactivating_a_member_ends_their_browser_session,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let theirs = app.browser(&ada).await;
        assert_eq!(app.page("/", Some(&theirs)).await.location(), "/inbox");
        let admin = app.browser(&owner).await;

        let refused = app
            .form(
                &format!("/admin/members/{}/deactivate", owner.id),
                &theirs,
                &[],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        let r = app
            .form(
                &format!("/admin/members/{}/deactivate", ada.id),
                &admin,
                &[],
            )
            .await;
        assert_redirect(&r, "/admin/members?saved=deactivated");
        assert_eq!(app.page("/", Some(&theirs)).await.location(), "/signin");
        let people = app.page("/people", Some(&admin)).await.html();
        assert!(
            !people.contains(&ada.id),
            "the directory lists active members only"
        );
    }
);

app_test!(
    admins_change_a_space_visibility,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let space = app.space(&owner, "Launch", "public").await;
        let admin = app.browser(&owner).await;
        let html = app.page("/admin/spaces", Some(&admin)).await.html();
        assert!(
            html.contains(&format!("href=\"/spaces/{space}/members\">1 member</a>")),
            "{html}"
        );

        let r = app
            .form(
                &format!("/admin/spaces/{space}/visibility"),
                &admin,
                &[("visibility", "private")],
            )
            .await;
        assert_redirect(&r, "/admin/spaces?saved=visibility");
        let stored = app.get(&format!("/api/v1/spaces/{space}"), &owner).await;
        assert_eq!(stored.str("/visibility"), "private");
    }
);

app_test!(
    settings_forms_without_the_csrf_token_are_refused,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        for path in ["/settings/profile", "/settings/schedule", "/admin/members"] {
            let r = app
                .raw_form(
                    path,
                    Some(&browser.cookie),
                    &[("name", "Mallory"), ("timezone", "UTC")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        let stored = stored_member(&app, &owner.id).await;
        assert_eq!(stored.name, "Acme Owner", "nothing written");
    }
);

app_test!(
    a_guest_sees_on_the_people_pages_only_names_and_local_time_of_people_in_their_spaces,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let ada = app.member(&owner, "ada", "member").await;
        let guest = app.member(&owner, "guest", "guest").await;
        let client = app.space(&ada, "client work", "private").await;
        app.join(&ada, &client, &guest).await;
        let browser = app.browser(&guest).await;

        // Monday 12:00 UTC: 21:00 in Tokyo, after Ada's day.
        let r = app.page("/people", Some(&browser)).await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.html();
        assert!(
            html.contains(&format!("href=\"/people/{}\"", ada.id)),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/people/{}\"", guest.id)),
            "{html}"
        );
        assert!(
            !html.contains(&format!("/people/{}", owner.id)),
            "the owner shares no space with the guest: {html}"
        );
        let start = html
            .find(&format!("href=\"/people/{}\"", ada.id))
            .expect("Ada is listed");
        let row = &html[start..start + html[start..].find("</li>").expect("her row ends")];
        assert!(row.contains("21:00</time> · not working now"), "{row}");
        for hidden in ["Tokyo", "back Tue", ">member<"] {
            assert!(!row.contains(hidden), "{hidden} in {row}");
        }

        let profile = app
            .page(&format!("/people/{}", ada.id), Some(&browser))
            .await;
        assert_eq!(profile.status, StatusCode::OK);
        let html = profile.html();
        assert!(
            html.contains("Local time") && html.contains("21:00</time>"),
            "{html}"
        );
        for hidden in [
            "ada-",
            "Asia/Tokyo",
            "Working hours",
            "When you both work",
            "Role",
        ] {
            assert!(!html.contains(hidden), "{hidden} in {html}");
        }
        let own = app
            .page(&format!("/people/{}", guest.id), Some(&browser))
            .await;
        assert!(
            own.html().contains("Working hours"),
            "a guest sees their own hours"
        );

        let hidden = app
            .page(&format!("/people/{}", owner.id), Some(&browser))
            .await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    }
);
