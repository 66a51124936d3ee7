//! "Find a time": the fairest slots for the people chosen, in each person's own time, through
//! the page a member reaches from People.

use axum::http::StatusCode;

use crate::app_test;
use crate::common::TestApp;

app_test!(
    the_page_ranks_slots_in_each_persons_time_and_says_who_pays,
    |app: TestApp| async move {
        let (owner, legs) = app
            .relay_team(&[("lukas", "Europe/Berlin"), ("maya", "America/Los_Angeles")])
            .await;
        let browser = app.browser(&owner).await;
        let people = app.page("/people", Some(&browser)).await;
        assert!(
            people.html().contains("/meetings/find-a-time"),
            "{}",
            people.html()
        );

        let form = app.page("/meetings/find-a-time", Some(&browser)).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.html().contains("Find times"), "{}", form.html());
        assert!(
            !form.html().contains("Best times"),
            "the bare page searches nothing"
        );

        // Berlin 09–17 and Los Angeles 09–17 share no hour: the best slot costs someone.
        let query = format!(
            "/meetings/find-a-time?with={}&with={}&minutes=60&from=2026-06-01&days=2",
            legs[0].id, legs[1].id
        );
        let found = app.page(&query, Some(&browser)).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.html());
        let html = found.html();
        assert!(html.contains("Best times"), "{html}");
        assert!(html.contains("Outside working hours for"), "{html}");
        assert!(
            html.contains("Los Angeles") && html.contains("Berlin"),
            "{html}"
        );
        assert!(
            !html.contains("Inside everyone&#39;s working hours"),
            "{html}"
        );

        // Lukas alone fits inside his day.
        let alone = format!(
            "/meetings/find-a-time?with={}&minutes=30&from=2026-06-01&days=1",
            legs[0].id
        );
        let html = app.page(&alone, Some(&browser)).await.html();
        assert!(html.contains("Inside everyone"), "{html}");
    }
);

app_test!(
    bad_searches_are_shown_next_to_their_field,
    |app: TestApp| async move {
        let owner = app.workspace("Acme").await;
        let browser = app.browser(&owner).await;
        for (query, field, words) in [
            ("minutes=0&from=2026-06-01&days=7", "minutes", "minutes"),
            ("minutes=60&from=June&days=7", "from", "YYYY-MM-DD"),
            ("minutes=60&from=2026-06-01&days=61", "days", "1 to 60 days"),
            (
                "with=nobody&minutes=60&from=2026-06-01&days=7",
                "with",
                "with",
            ),
        ] {
            let r = app
                .page(&format!("/meetings/find-a-time?{query}"), Some(&browser))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {}",
                r.html()
            );
            let html = r.html();
            assert!(
                html.contains(&format!("id=\"{field}-error\"")),
                "{query}: {html}"
            );
            assert!(html.contains(words), "{query}: {html}");
        }
    }
);
