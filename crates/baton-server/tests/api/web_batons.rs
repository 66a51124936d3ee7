//! Web pages: batons (tests through the real router, on both backends). The board, a baton
//! passed by form from Berlin to Tokyo and accepted, notes and bounces refused without their
//! words, hidden batons, the relay's coverage chart, threads linked by a pasted link and
//! unlinked, and forms without a CSRF token.
//!
//! Set-up goes through the JSON API; the clock stands at Monday 2026-03-02 12:00 UTC, when
//! Berlin (13:00) works and Tokyo (21:00) and Los Angeles (04:00) do not.

use axum::http::StatusCode;
use serde_json::json;

use crate::app_test;
use crate::common::{Actor, TestApp};

/// A workspace (its owner works from Berlin) with a relay Berlin → Tokyo → Los Angeles, each
/// leg working Monday to Friday 09:00–17:00 in their own zone.
struct Relay {
    owner: Actor,
    lukas: Actor,
    yuki: Actor,
    maya: Actor,
    id: String,
}

impl Relay {
    async fn new(app: &TestApp) -> Self {
        let (owner, legs) = app
            .relay_team(&[
                ("lukas", "Europe/Berlin"),
                ("yuki", "Asia/Tokyo"),
                ("maya", "America/Los_Angeles"),
            ])
            .await;
        let [lukas, yuki, maya] = <[Actor; 3]>::try_from(legs).expect("three legs");
        let id = app
            .relay(&owner, "Release train", &[&lukas, &yuki, &maya])
            .await;
        Self {
            owner,
            lukas,
            yuki,
            maya,
            id,
        }
    }

    /// A baton on this relay held by `holder`; returns its id.
    async fn baton(&self, app: &TestApp, title: &str, holder: &Actor) -> String {
        app.baton(&self.owner, title, holder, Some(&self.id)).await
    }
}

const NOTE: [(&str, &str); 4] = [
    ("state", "Build green, notes drafted"),
    ("next_step", "Run the smoke tests"),
    ("blockers", "none"),
    ("links", "none"),
];

app_test!(
    the_board_shows_each_holder_working_or_when_they_are_back,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let empty = app
            .page("/batons", Some(&app.browser(&relay.owner).await))
            .await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.html().contains("No batons yet"), "{}", empty.html());

        let release = relay.baton(&app, "Release 2.4", &relay.lukas).await;
        relay.baton(&app, "Migrate billing", &relay.yuki).await;
        let board = app
            .page("/batons", Some(&app.browser(&relay.owner).await))
            .await;
        assert_eq!(board.status, StatusCode::OK);
        let html = board.html();
        for text in [
            format!("href=\"/batons/{release}\" data-nav-item"),
            "Held by lukas · 13:00 in Berlin · <span class=\"working\">working now</span>".into(),
            "Held by yuki · 21:00 in Tokyo · <span>back Tue 09:00 Tokyo time, your Tue 01:00</span>"
                .into(),
            "Stalled: its holder is outside their working hours.".into(),
            "Working now on Release train: lukas (Berlin).".into(),
            format!("href=\"/relays/{}\"", relay.id),
            "<label for=\"title\">Title</label>".into(),
        ] {
            assert!(html.contains(&text), "{text} in {html}");
        }
        assert_eq!(html.matches("Stalled").count(), 1, "only Yuki is off now");
        assert_eq!(
            html.matches("Working now on").count(),
            1,
            "said of stalled batons only"
        );
    }
);

app_test!(
    a_baton_is_handed_off_and_accepted_through_the_forms,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let baton = relay.baton(&app, "Release 2.4", &relay.lukas).await;
        let lukas = app.browser(&relay.lukas).await;
        let page = app.page(&format!("/batons/{baton}"), Some(&lukas)).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        assert!(html.contains("<legend>Handoff note</legend>"), "{html}");
        assert!(
            html.contains(&format!("value=\"{}\" selected", relay.yuki.id)),
            "the relay's next leg is proposed: {html}"
        );

        // An empty "Where it stands": the message sits at the field, the rest is kept.
        let path = format!("/batons/{baton}/handoff");
        let mut fields = vec![("to_id", relay.yuki.id.as_str())];
        fields.extend_from_slice(&NOTE);
        fields[1].1 = "  ";
        let refused = app.form(&path, &lukas, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.html();
        assert!(html.contains("id=\"state-error\""), "{html}");
        assert!(html.contains("aria-describedby=\"state-error\""), "{html}");
        assert!(html.contains(">Run the smoke tests</textarea>"), "kept");
        let api = format!("/api/v1/batons/{baton}");
        let detail = app.get(&api, &relay.owner).await;
        assert_eq!(detail.json["handoffs"], json!([]), "nothing written");

        fields[1].1 = NOTE[0].1;
        let passed = app.form(&path, &lukas, &fields).await;
        assert_eq!(
            (passed.status, passed.location()),
            (StatusCode::SEE_OTHER, format!("/batons/{baton}"))
        );
        let detail = app.get(&api, &relay.owner).await;
        let handoff = &detail.json["handoffs"][0];
        assert_eq!(handoff["status"], json!("pending"));
        assert_eq!(handoff["to_id"], json!(relay.yuki.id));
        assert_eq!(handoff["delivers_at"], json!("2026-03-03T00:00:00Z"));
        let handoff_id = handoff["id"].as_str().expect("an id").to_owned();
        let board = app.page("/batons", Some(&lukas)).await.html();
        assert!(
            board.contains(
                "Handoff to yuki waiting: it reaches them Tue 09:00 Tokyo time, your Tue 01:00."
            ),
            "{board}"
        );

        let yuki = app.browser(&relay.yuki).await;
        let page = app
            .page(&format!("/batons/{baton}"), Some(&yuki))
            .await
            .html();
        let accept = format!("/handoffs/{handoff_id}/accept");
        assert!(
            page.contains(&format!("action=\"{accept}\"")) && page.contains(">Accept</button>"),
            "{page}"
        );
        assert!(page.contains("Build green, notes drafted"), "the note");
        let accepted = app.form(&accept, &yuki, &[]).await;
        assert_eq!(
            (accepted.status, accepted.location()),
            (StatusCode::SEE_OTHER, format!("/batons/{baton}"))
        );
        let detail = app.get(&api, &relay.owner).await;
        assert_eq!(detail.json["holder_id"], json!(relay.yuki.id));
        let twice = app.form(&accept, &yuki, &[]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(
            twice.html().contains("already accepted or bounced"),
            "{}",
            twice.html()
        );
        let page = app
            .page(&format!("/batons/{baton}"), Some(&yuki))
            .await
            .html();
        assert!(page.contains("lukas → yuki") && page.contains("Accepted by yuki"));
        assert!(page.contains(">Hand off</button>"), "Yuki holds it now");
    }
);

app_test!(
    a_new_baton_and_a_bounce_need_their_words,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let maya = app.browser(&relay.maya).await;
        let fields = [
            ("title", " "),
            ("description", "Ship it"),
            ("holder_id", relay.maya.id.as_str()),
            ("relay_id", relay.id.as_str()),
        ];
        let refused = app.form("/batons", &maya, &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.html();
        assert!(html.contains("id=\"title-error\"") && html.contains(">Ship it</textarea>"));
        let board = app.get("/api/v1/batons", &relay.owner).await;
        assert_eq!(board.json["batons"], json!([]), "nothing written");

        let mut fields = fields;
        fields[0].1 = "Release 2.4";
        let created = app.form("/batons", &maya, &fields).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let baton = app.get("/api/v1/batons", &relay.owner).await.json["batons"][0]["id"]
            .as_str()
            .expect("the new baton")
            .to_owned();
        assert_eq!(created.location(), format!("/batons/{baton}"));

        let mut note = vec![("to_id", relay.lukas.id.as_str())];
        note.extend_from_slice(&NOTE);
        let passed = app
            .form(&format!("/batons/{baton}/handoff"), &maya, &note)
            .await;
        assert_eq!(passed.status, StatusCode::SEE_OTHER);
        let api = format!("/api/v1/batons/{baton}");
        let handoff_id = app.get(&api, &relay.owner).await.str("/handoffs/0/id");
        let lukas = app.browser(&relay.lukas).await;
        let bounce = format!("/handoffs/{handoff_id}/bounce");
        let refused = app.form(&bounce, &lukas, &[("reason", "")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.html().contains("id=\"reason-error\""));
        assert_eq!(
            app.get(&api, &relay.owner).await.str("/handoffs/0/status"),
            "pending"
        );
        let bounced = app
            .form(&bounce, &lukas, &[("reason", "Blocked on the signing key")])
            .await;
        assert_eq!(bounced.location(), format!("/batons/{baton}"));
        let page = app
            .page(&format!("/batons/{baton}"), Some(&maya))
            .await
            .html();
        assert!(page.contains("Bounced back by lukas"), "{page}");
        assert!(page.contains("Blocked on the signing key"));
    }
);

app_test!(
    batons_and_relays_the_viewer_may_not_see_get_the_404_page,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let baton = relay.baton(&app, "Release 2.4", &relay.lukas).await;
        let guest = app.member(&relay.owner, "gus", "guest").await;
        let guest = app.browser(&guest).await;
        let stranger = app.workspace("Globex").await;
        let stranger = app.browser(&stranger).await;
        for (path, who) in [
            (format!("/batons/{baton}"), &guest),
            (format!("/batons/{baton}"), &stranger),
            (format!("/relays/{}", relay.id), &guest),
            (format!("/relays/{}", relay.id), &stranger),
            ("/batons/not-an-id".to_owned(), &guest),
            ("/relays/not-an-id".to_owned(), &stranger),
        ] {
            let page = app.page(&path, Some(who)).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.html().contains("not shared with you"), "{path}");
        }
        let board = app.page("/batons", Some(&guest)).await.html();
        assert!(!board.contains("Release 2.4") && !board.contains("New baton"));
    }
);

app_test!(
    the_relay_page_charts_the_gap_without_script_or_inline_style,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let owner = app.browser(&relay.owner).await;
        let page = app
            .page(&format!("/relays/{}", relay.id), Some(&owner))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        // Berlin 09–17 (08–16 UTC), Los Angeles 09–17 (17–01 UTC): nobody works 16:00–17:00
        // UTC, which is 17:00–18:00 for the owner in Berlin.
        for text in [
            "<svg class=\"coverage-chart\"",
            "role=\"img\"",
            "Gap: Tue 17:00–18:00, 1 hour",
            "<td>Mon–Fri 09:00–17:00</td>",
            "Handoff window: Tue 01:00–02:00, 1 hour",
        ] {
            assert!(html.contains(text), "{text} in {html}");
        }
        assert!(!html.contains("style="), "no inline style");
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=\"/static/").count(),
            "only the site's own script files"
        );
        let svg = &html[html.find("<svg").expect("svg")..html.find("</svg>").expect("end")];
        assert!(svg.len() < 30 * 1024, "the chart is {} bytes", svg.len());
        assert!(svg.contains("<title>") && svg.contains("<desc>"));
    }
);

app_test!(
    baton_forms_without_a_csrf_token_are_refused,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let baton = relay.baton(&app, "Release 2.4", &relay.lukas).await;
        let lukas = app.browser(&relay.lukas).await;
        let mut note = vec![("to_id", relay.yuki.id.as_str())];
        note.extend_from_slice(&NOTE);
        for path in [
            format!("/batons/{baton}/handoff"),
            "/batons".to_owned(),
            format!("/handoffs/{baton}/accept"),
            format!("/batons/{baton}/threads"),
            format!("/batons/{baton}/reopen"),
        ] {
            let r = app.raw_form(&path, Some(&lukas.cookie), &note).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        let detail = app
            .get(&format!("/api/v1/batons/{baton}"), &relay.owner)
            .await;
        assert_eq!(detail.json["handoffs"], json!([]), "nothing written");
    }
);

app_test!(
    a_thread_is_linked_by_its_pasted_link_and_unlinked_from_the_baton_page,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let baton = relay.baton(&app, "Release 2.4", &relay.lukas).await;
        let general = app.space(&relay.owner, "general", "public").await;
        let (runbook, _) = app.thread(&relay.owner, &general, "Release runbook").await;
        let private = app.space(&relay.maya, "salaries", "private").await;
        let (secret, _) = app.thread(&relay.maya, &private, "Secret pay review").await;
        let lukas = app.browser(&relay.lukas).await;
        let page = format!("/batons/{baton}");
        let html = app.page(&page, Some(&lukas)).await.html();
        assert!(
            html.contains("<label for=\"thread_id\">Link a thread</label>"),
            "{html}"
        );
        assert!(html.contains("No linked threads"), "{html}");

        let link = format!("/batons/{baton}/threads");
        let refused = app
            .form(&link, &lukas, &[("thread_id", "see the chat")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.html();
        assert!(html.contains("id=\"thread_id-error\"") && html.contains("value=\"see the chat\""));
        let pasted = format!("https://baton.example/threads/{secret}");
        let refused = app.form(&link, &lukas, &[("thread_id", &pasted)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.html();
        assert!(
            html.contains("no thread with this id that you can see"),
            "{html}"
        );
        assert!(!html.contains("Secret pay review"));
        let api = format!("/api/v1/batons/{baton}");
        assert_eq!(
            app.get(&api, &relay.owner).await.json["threads"],
            json!([]),
            "nothing written"
        );

        let pasted = format!("http://127.0.0.1:8080/threads/{runbook}#post-1");
        let linked = app.form(&link, &lukas, &[("thread_id", &pasted)]).await;
        assert_eq!(
            (linked.status, linked.location()),
            (StatusCode::SEE_OTHER, format!("/batons/{baton}#threads"))
        );
        let html = app.page(&page, Some(&lukas)).await.html();
        let unlink = format!("/batons/{baton}/threads/{runbook}/unlink");
        for text in [
            format!("<a href=\"/threads/{runbook}\">Release runbook</a>"),
            format!("action=\"{unlink}\""),
        ] {
            assert!(html.contains(&text), "{text} in {html}");
        }
        let twice = app.form(&link, &lukas, &[("thread_id", &runbook)]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(twice.html().contains("linked to the baton already"));

        // Yuki may read the baton and its thread, but neither holds nor created it.
        let yuki = app.browser(&relay.yuki).await;
        let html = app.page(&page, Some(&yuki)).await.html();
        assert!(html.contains(">Release runbook</a>") && !html.contains("Link a thread"));
        assert!(!html.contains(&unlink));
        assert_eq!(
            app.form(&unlink, &yuki, &[]).await.status,
            StatusCode::FORBIDDEN
        );

        let unlinked = app.form(&unlink, &lukas, &[]).await;
        assert_eq!(unlinked.status, StatusCode::SEE_OTHER);
        assert_eq!(app.get(&api, &relay.owner).await.json["threads"], json!([]));
    }
);

app_test!(
    a_baton_passed_to_me_waits_in_my_inbox_from_the_start_of_my_day_until_i_accept_it,
    |app: TestApp| async move {
        let relay = Relay::new(&app).await;
        let baton = relay.baton(&app, "Release 2.5", &relay.lukas).await;
        let lukas = app.browser(&relay.lukas).await;
        let mut fields = vec![("to_id", relay.yuki.id.as_str())];
        fields.extend_from_slice(&NOTE);
        let passed = app
            .form(&format!("/batons/{baton}/handoff"), &lukas, &fields)
            .await;
        assert_eq!(passed.status, StatusCode::SEE_OTHER, "{}", passed.html());

        let yuki = app.browser(&relay.yuki).await;
        let inbox = app.page("/inbox", Some(&yuki)).await.html();
        assert!(
            !inbox.contains("Batons passed to you"),
            "Yuki is off hours: it has not reached her yet: {inbox}"
        );

        app.clock
            .set("2026-03-03T00:00:00Z".parse().expect("Tue 09:00 in Tokyo"));
        let inbox = app.page("/inbox", Some(&yuki)).await.html();
        assert!(inbox.contains("<h2>Batons passed to you</h2>"), "{inbox}");
        assert!(
            inbox.contains(&format!(
                "<a href=\"/batons/{baton}\" data-nav-item>Release 2.5</a>"
            )),
            "{inbox}"
        );
        assert!(
            inbox.contains("lukas passed it") && inbox.contains("Next step: Run the smoke tests")
        );
        let theirs = app.page("/inbox", Some(&lukas)).await.html();
        assert!(
            !theirs.contains("Batons passed to you"),
            "only the receiver's"
        );

        let api = format!("/api/v1/batons/{baton}");
        let handoff_id = app.get(&api, &relay.owner).await.str("/handoffs/0/id");
        let accepted = app
            .form(&format!("/handoffs/{handoff_id}/accept"), &yuki, &[])
            .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);
        let inbox = app.page("/inbox", Some(&yuki)).await.html();
        assert!(!inbox.contains("Batons passed to you"), "accepted: {inbox}");
    }
);
