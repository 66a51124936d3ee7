//! Hangouts in the browser: Lukas (Berlin) and Maya (Los Angeles) opt in from the page, which
//! then shows each the other with the offered slot in both local times and a link to propose
//! it; opting out is one button; a form without its CSRF token changes nothing.

use axum::http::StatusCode;

use crate::app_test;
use crate::common::TestApp;

app_test!(
    the_page_opts_in_and_shows_the_partner_in_both_local_times,
    |app: TestApp| async move {
        let (owner, legs) = app
            .relay_team(&[("lukas", "Europe/Berlin"), ("maya", "America/Los_Angeles")])
            .await;
        let people = app.page("/people", Some(&app.browser(&owner).await)).await;
        assert!(
            people.html().contains("/meetings/hangouts"),
            "{}",
            people.html()
        );

        let lukas = app.browser(&legs[0]).await;
        let maya = app.browser(&legs[1]).await;
        let page = app.page("/meetings/hangouts", Some(&lukas)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.html().contains("Pair me every two weeks"),
            "{}",
            page.html()
        );

        let forged = app
            .raw_form(
                "/meetings/hangouts",
                Some(&lukas.cookie),
                &[("opted_in", "on")],
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.html());
        for browser in [&lukas, &maya] {
            let r = app
                .form("/meetings/hangouts", browser, &[("opted_in", "on")])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html());
            assert_eq!(r.location(), "/meetings/hangouts");
        }

        let html = app.page("/meetings/hangouts", Some(&lukas)).await.html();
        assert!(html.contains("You are in the pool"), "{html}");
        assert!(
            html.contains("maya") && html.contains("Los Angeles"),
            "{html}"
        );
        assert!(html.contains("You never share working hours"), "{html}");
        assert!(html.contains("Propose this hangout"), "{html}");
        assert!(html.contains("/meetings/new?purpose=hangout"), "{html}");
        let html = app.page("/meetings/hangouts", Some(&maya)).await.html();
        assert!(html.contains("lukas") && html.contains("Berlin"), "{html}");

        let r = app.form("/meetings/hangouts", &lukas, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html());
        let html = app.page("/meetings/hangouts", Some(&lukas)).await.html();
        assert!(html.contains("You are not in the pool"), "{html}");
    }
);
