//! The demo workspace: a team of thirteen spread from Los Angeles to Sydney, so every
//! time-zone feature shows something real at any hour. Seeded through the same service
//! functions the API uses, with a clock that walks through the last few days.

use std::sync::Arc;

use anyhow::Context;
use baton_core::Id;
use baton_core::expectation::ExpectationKind;
use baton_core::meeting::close::{Action, Minutes};
use baton_core::meeting::plan::DEFAULT_DUE_MINUTES_BEFORE;
use baton_core::meeting::slots::Search;
use baton_core::meeting::{AgendaItem, PreworkItem, Purpose};
use baton_core::model::{Member, Workspace};
use baton_core::role::Role;
use baton_core::schedule::{Day, FocusSpec, ScheduleSpec, TimeOffSpec};
use baton_server::AppState;
use baton_server::clock::{Clock, ManualClock};
use baton_server::services::meetings::{self, MeetingRequest};
use baton_server::services::members::{MemberInput, new_token, prepare_member};
use baton_server::services::threads::ExpectationInput;
use baton_server::services::{
    hangouts, meeting_lifecycle, meeting_slots, members, relays, schedules, spaces, threads,
};
use jiff::{SignedDuration, Timestamp};

use crate::cli::DbArgs;

/// The demo workspace's name (how a second run recognises it).
pub const DEMO_WORKSPACE: &str = "Relay Labs (demo)";
/// Every demo member's password.
pub const DEMO_PASSWORD: &str = "relay-the-baton";

/// (name, email local part, zone, role)
const PEOPLE: &[(&str, &str, &str, Role)] = &[
    ("Maya Chen", "maya", "America/Los_Angeles", Role::Owner),
    ("Jordan Brooks", "jordan", "America/New_York", Role::Member),
    ("Ana Souza", "ana", "America/Sao_Paulo", Role::Member),
    ("Lukas Becker", "lukas", "Europe/Berlin", Role::Admin),
    ("Sofia Rossi", "sofia", "Europe/Lisbon", Role::Member),
    ("Chidi Okafor", "chidi", "Africa/Lagos", Role::Member),
    ("Amara Nwosu", "amara", "Africa/Lagos", Role::Member),
    ("Priya Raman", "priya", "Asia/Kolkata", Role::Admin),
    ("Arjun Mehta", "arjun", "Asia/Kolkata", Role::Member),
    ("Yuki Tanaka", "yuki", "Asia/Tokyo", Role::Member),
    ("Kenji Sato", "kenji", "Asia/Tokyo", Role::Member),
    ("Olivia Harris", "olivia", "Australia/Sydney", Role::Member),
    ("Sam Rivera", "sam", "America/Mexico_City", Role::Guest),
];

fn email(local: &str) -> String {
    format!("{local}@relaylabs.example")
}

/// The sign-in page's line for the demo: who can sign in and with what password.
pub fn sign_in_hint() -> String {
    format!(
        "Demo: sign in as maya@relaylabs.example (owner), lukas@relaylabs.example (admin), ana@relaylabs.example or any other demo person; every password is {DEMO_PASSWORD}"
    )
}

/// `baton demo`: seeds the demo unless it is already there, then prints how to log in.
pub async fn run(db: DbArgs) -> anyhow::Result<()> {
    let store = crate::serve::open_store(&db).await?;
    let state = AppState::new(store);
    if demo_workspace(&state).await?.is_none() {
        seed(&state).await?;
    }
    print_logins(&state, "http://127.0.0.1:8080").await
}

/// For `baton serve --demo`: seeds the demo only into an empty database, and prints the logins
/// whenever the demo workspace exists.
pub async fn seed_if_empty(state: &AppState, url: &str) -> anyhow::Result<()> {
    if state.store.workspaces().await?.is_empty() {
        seed(state).await?;
    }
    if demo_workspace(state).await?.is_some() {
        print_logins(state, url).await?;
    }
    Ok(())
}

async fn demo_workspace(state: &AppState) -> anyhow::Result<Option<Workspace>> {
    Ok(state
        .store
        .workspaces()
        .await?
        .into_iter()
        .find(|w| w.name == DEMO_WORKSPACE))
}

async fn print_logins(state: &AppState, url: &str) -> anyhow::Result<()> {
    let ws = demo_workspace(state)
        .await?
        .context("the demo workspace is missing")?;
    let maya = state.store.member_by_email(ws.id, &email("maya")).await?;
    let (token, secret) = new_token(maya.id, Some("demo login".into()), Timestamp::now())?;
    state.store.create_token(ws.id, token, None).await?;
    println!("Demo workspace \"{DEMO_WORKSPACE}\": 13 people from Los Angeles to Sydney.");
    println!(
        "  Members: maya@relaylabs.example (owner), ana@, lukas@, priya@, yuki@, olivia@ … all with password {DEMO_PASSWORD}"
    );
    println!("  API token for Maya (new for this start): {secret}");
    println!("  Try: curl -H 'Authorization: Bearer {secret}' {url}/api/v1/spaces");
    Ok(())
}

async fn seed(real: &AppState) -> anyhow::Result<()> {
    // Walk a private clock through the last three days so the threads have a history.
    let clock = Arc::new(ManualClock::new(
        Timestamp::now() - SignedDuration::from_hours(72),
    ));
    let state = AppState::builder(real.store.clone())
        .clock(clock.clone())
        .build();
    let step = |hours: i64| clock.advance(SignedDuration::from_hours(hours));

    let people = create_people(&state).await?;
    set_schedules(&state, &people).await?;
    let who = |local: &str| {
        people
            .iter()
            .find(|m| m.email == email(local))
            .cloned()
            .context("demo person missing")
    };
    let maya = who("maya")?;

    let general = spaces::create_space(&state, &maya, "general", "public", None).await?;
    let eng = spaces::create_space(&state, &who("lukas")?, "engineering", "public", None).await?;
    let handoffs = spaces::create_space(&state, &who("priya")?, "handoffs", "public", None).await?;
    let leadership = spaces::create_space(&state, &maya, "leadership", "private", None).await?;
    let client = spaces::create_space(&state, &who("ana")?, "client-acme", "private", None).await?;
    for local in ["lukas", "priya"] {
        spaces::add_member(&state, &maya, leadership.id, who(local)?.id).await?;
    }
    for local in ["sam", "jordan", "chidi"] {
        spaces::add_member(&state, &who("ana")?, client.id, who(local)?.id).await?;
    }

    let ask = |of: Vec<&Member>, minutes: u32| ExpectationInput {
        kind: ExpectationKind::Reply,
        within_minutes: Some(minutes),
        of: of.iter().map(|m| m.id).collect(),
    };
    let script = [
        (
            general.id,
            "maya",
            "How we work: async first",
            "Welcome to Relay Labs. We span **15 hours** of time zones, so:\n\n- Threads, not pings. Give every thread a clear title.\n- Say what you need and by when, in *their* working hours.\n- Meetings only for what truly needs real time.\n\nReply here with one thing that would make your week calmer.",
            None,
            vec![
                (
                    "olivia",
                    "Fewer 7 am calls. Recording the demo and letting us comment async would be great.",
                ),
                (
                    "chidi",
                    "A clear handoff note at the end of each day so I can pick things up without waiting for Berlin.",
                ),
            ],
        ),
        (
            eng.id,
            "lukas",
            "Postgres upgrade plan (15 → 16)",
            "Proposal: upgrade the primary during Sunday's low-traffic window.\n\n1. Rehearse on staging (Priya)\n2. Freeze schema changes from Friday\n3. Cut over with logical replication\n\nPlease review the runbook and flag risks.",
            Some(ask(vec![&who("priya")?, &who("yuki")?], 480)),
            vec![
                (
                    "priya",
                    "Rehearsal done on staging: 4 min of read-only time. Runbook updated with the replication lag check.",
                ),
                (
                    "yuki",
                    "Looks good. One risk: the Tokyo batch job starts at 09:00 JST Monday; let's confirm it tolerates the new version.",
                ),
            ],
        ),
        (
            eng.id,
            "arjun",
            "Flaky test: inbox ordering under DST",
            "The inbox ordering test fails twice a year. I suspect we compare local times instead of instants. Investigating; FYI.",
            None,
            vec![(
                "sofia",
                "Same shape as the bug we had in the digest scheduler: compare `Timestamp`s, never wall-clock strings.",
            )],
        ),
        (
            handoffs.id,
            "priya",
            "Release 2.4: follow-the-sun handoff",
            "**State:** build green, release notes drafted.\n**Next step:** Lagos runs the smoke tests, then São Paulo publishes.\n**Blockers:** none.\n**Links:** release checklist in the docs.",
            Some(ask(vec![&who("chidi")?], 240)),
            vec![
                (
                    "chidi",
                    "Smoke tests passed on all three regions. Passing to Ana for publishing.",
                ),
                (
                    "ana",
                    "Published. Announcement scheduled for Sydney's morning.",
                ),
            ],
        ),
        (
            leadership.id,
            "maya",
            "Q3 hiring plan",
            "Draft attached in the doc. We can afford two roles; I lean towards one in APAC to close our coverage gap around 02:00 UTC.",
            Some(ask(vec![&who("lukas")?, &who("priya")?], 960)),
            vec![(
                "priya",
                "Agree on APAC. Bangalore or Singapore would overlap with both Tokyo and Berlin.",
            )],
        ),
        (
            client.id,
            "ana",
            "Acme onboarding: week 1",
            "Sam, welcome. This space is shared with you. Agenda and pre-work for Thursday's kickoff are below; please add questions as replies before Wednesday end of day.",
            Some(ask(vec![&who("sam")?], 480)),
            vec![(
                "sam",
                "Thanks Ana. Two questions added to the doc; the rest can wait for Thursday.",
            )],
        ),
    ];
    let mut release_thread = None;
    for (space, author, title, body, exp, replies) in script {
        step(5);
        let author = who(author)?;
        let created =
            threads::create_thread(&state, &author, space, title, body, exp, None).await?;
        if space == handoffs.id {
            release_thread = Some(created.thread.id);
        }
        for (replier, text) in replies {
            step(3);
            threads::create_post(&state, &who(replier)?, created.thread.id, text, None, None)
                .await?;
        }
    }
    let release_thread = release_thread.context("the release thread was not seeded")?;
    seed_batons(&state, &people, release_thread).await?;
    let team = [who("lukas")?, who("priya")?, who("yuki")?];
    // In #general, which all four see: each invited participant answers there.
    seed_held_meetings(&state, &clock, &maya, &team, general.id).await?;
    seed_meetings(&state, &maya, team, general.id).await?;
    let pool = ["maya", "lukas", "priya", "yuki", "olivia", "ana"]
        .into_iter()
        .map(&who)
        .collect::<anyhow::Result<Vec<Member>>>()?;
    seed_hangouts(&state, &pool).await
}

/// Six people across the world opted in to hangouts, and this round paired: each sees a
/// partner they rarely overlap with and the fairest 20 minutes for the two of them.
async fn seed_hangouts(state: &AppState, pool: &[Member]) -> anyhow::Result<()> {
    for member in pool {
        hangouts::set_opt_in(state, member, member.id, true).await?;
    }
    if let Some(first) = pool.first() {
        hangouts::current(state, first).await?;
    }
    Ok(())
}

/// Two meetings already held: one closed with its notes, a decision and an action for Lukas
/// (an ask in his inbox), and one held but not closed yet (its organizer is reminded). Each
/// was requested days ahead at the fairest slot, invited with its pre-work asks, which every
/// participant answered in the meeting's thread. Walks `clock` back for them and returns it to
/// where it was.
async fn seed_held_meetings(
    state: &AppState,
    clock: &ManualClock,
    maya: &Member,
    others: &[Member; 3],
    space: Id,
) -> anyhow::Result<()> {
    let back_to = clock.now();
    let real_now = Timestamp::now();
    let mut with = vec![maya.id];
    with.extend(others.iter().map(|m| m.id));
    let held = [
        ("Hosting vendor: decide", Purpose::Decision, 12, true),
        (
            "Incident review: the 2.4 rollout",
            Purpose::Urgent,
            4,
            false,
        ),
    ];
    for (title, purpose, days_back, close) in held {
        clock.set(real_now - SignedDuration::from_hours(days_back * 24));
        let now = clock.now();
        let window = Search::new(
            now + SignedDuration::from_hours(24),
            now + SignedDuration::from_hours(72),
            45,
        )?;
        let found = meeting_slots::find_slots(state, maya, &with, window, false).await?;
        let best = found.slots.first().context("no slot for a held meeting")?;
        let request = MeetingRequest {
            title: title.into(),
            purpose,
            justification: None,
            participants: others.iter().map(|m| m.id).collect(),
            duration_minutes: 45,
            start: best.start,
            space_id: Some(space),
            agenda: vec![
                AgendaItem {
                    item: "What we know".into(),
                    owner_id: others[0].id,
                    minutes: 15,
                },
                AgendaItem {
                    item: "Decide and assign".into(),
                    owner_id: maya.id,
                    minutes: 30,
                },
            ],
            prework: vec![PreworkItem {
                what: "Read the summary in the thread and add what is missing".into(),
                due_minutes_before: DEFAULT_DUE_MINUTES_BEFORE,
            }],
            video_url: Some("https://meet.example.com/baton-demo".into()),
        };
        let created = meetings::create(state, maya, request).await?;
        let (meeting, thread) = (created.meeting.id, created.meeting.thread_id);
        let thread = thread.context("a held meeting was not invited")?;
        for m in others {
            clock.advance(SignedDuration::from_hours(2));
            threads::create_post(state, m, thread, "Read it; my notes are in.", None, None).await?;
        }
        if close {
            clock.set(best.end + SignedDuration::from_hours(1));
            let minutes = Minutes {
                notes: "We compared the three offers on cost, regions and support hours.".into(),
                decisions: vec!["Hostco for both launch regions".into()],
                actions: vec![Action {
                    owner_id: others[0].id,
                    what: "Sign the Hostco contract".into(),
                    within_minutes: 480,
                }],
            };
            meeting_lifecycle::close(state, maya, meeting, minutes).await?;
        }
    }
    clock.set(back_to);
    Ok(())
}

/// A decision meeting across Los Angeles, Berlin, Kolkata and Tokyo at the fairest slot of the
/// coming week (one of the rare things that earns real time), with its agenda and pre-work, so
/// it is invited and each person's pre-work is due in their own day; and a draft still missing
/// both.
async fn seed_meetings(
    state: &AppState,
    maya: &Member,
    others: [Member; 3],
    space: Id,
) -> anyhow::Result<()> {
    let now = state.clock.now();
    let mut with = vec![maya.id];
    with.extend(others.iter().map(|m| m.id));
    // From three days on, so everyone's pre-work is still ahead of them.
    let week = Search::new(
        now + SignedDuration::from_hours(3 * 24),
        now + SignedDuration::from_hours(10 * 24),
        60,
    )?;
    let found = meeting_slots::find_slots(state, maya, &with, week, false).await?;
    let best = found.slots.first().context("no slot in the coming week")?;
    let lukas = &others[0];
    let request = |title: &str, purpose, start, planned: bool| MeetingRequest {
        title: title.into(),
        purpose,
        justification: None,
        participants: others.iter().map(|m| m.id).collect(),
        duration_minutes: 60,
        start,
        space_id: Some(space),
        agenda: if planned {
            vec![
                AgendaItem {
                    item: "Objections to the proposal in the thread".into(),
                    owner_id: lukas.id,
                    minutes: 20,
                },
                AgendaItem {
                    item: "Decide: one region or two for the 2.5 launch".into(),
                    owner_id: maya.id,
                    minutes: 40,
                },
            ]
        } else {
            Vec::new()
        },
        prework: if planned {
            vec![PreworkItem {
                what: "Read the cost comparison and add your numbers to the thread".into(),
                due_minutes_before: DEFAULT_DUE_MINUTES_BEFORE,
            }]
        } else {
            Vec::new()
        },
        video_url: Some("https://meet.example.com/baton-demo".into()),
    };
    meetings::create(
        state,
        maya,
        request(
            "Launch regions: decide",
            Purpose::Decision,
            best.start,
            true,
        ),
    )
    .await?;
    meetings::create(
        state,
        maya,
        request(
            "2.4 release celebration",
            Purpose::Celebration,
            best.start + SignedDuration::from_hours(48),
            false,
        ),
    )
    .await?;
    Ok(())
}

/// The demo relay's legs in hand-off order: westward with the sun, each leg's morning coming
/// after the previous leg's, so a baton goes round the world in one day (Sydney, Tokyo,
/// Kolkata, Berlin, São Paulo, Los Angeles, and Sydney's next morning).
const RELAY_LEGS: [&str; 6] = ["olivia", "yuki", "priya", "lukas", "ana", "maya"];

/// A follow-the-sun relay round the world, a baton on its way round (linked to the thread where
/// the release is discussed) with a handoff from Tokyo waiting for Kolkata, and one held
/// off-hours (stalled).
async fn seed_batons(
    state: &AppState,
    people: &[Member],
    release_thread: Id,
) -> anyhow::Result<()> {
    let id_of = |local: &str| {
        people
            .iter()
            .find(|m| m.email == email(local))
            .map(|m| m.id)
            .context("demo person missing")
    };
    let maya = people.first().context("the demo team is empty")?;
    let legs: Vec<Id> = RELAY_LEGS
        .iter()
        .map(|l| id_of(l))
        .collect::<anyhow::Result<_>>()?;
    let relay = relays::create_relay(state, maya, "Release train", legs).await?;
    let release = relays::create_baton(
        state,
        maya,
        relays::BatonInput {
            title: "Release 2.4".into(),
            description: Some(
                "Ship 2.4 to all regions: build, smoke tests, publish, announce.".into(),
            ),
            relay_id: Some(relay.id),
            holder_id: id_of("yuki")?,
            thread_ids: vec![release_thread],
        },
    )
    .await?;
    let yuki = people
        .iter()
        .find(|m| m.email == email("yuki"))
        .context("demo person missing")?;
    let note = relays::HandoffInput {
        to_id: None,
        state: "Build green on all targets; release notes drafted in the docs.".into(),
        next_step: "Run the smoke tests in the staging regions.".into(),
        blockers: "none".into(),
        links: "Release checklist: docs/releases/2.4".into(),
    };
    relays::hand_off(state, yuki, release.id, note).await?;
    relays::create_baton(
        state,
        maya,
        relays::BatonInput {
            title: "Incident 1142 follow-up".into(),
            description: Some("Write the post-incident review and file the alerting fixes.".into()),
            relay_id: None,
            holder_id: id_of("kenji")?,
            thread_ids: Vec::new(),
        },
    )
    .await?;
    Ok(())
}

async fn create_people(state: &AppState) -> anyhow::Result<Vec<Member>> {
    let now = state.clock.now();
    let (name, local, zone, _) = PEOPLE[0];
    let input = |name: &str, local: &str, zone: &str, role: Role| MemberInput {
        email: email(local),
        name: name.into(),
        timezone: zone.into(),
        password: Some(DEMO_PASSWORD.into()),
        role: Some(role.as_str().into()),
    };
    let owner = prepare_member(&input(name, local, zone, Role::Owner), Role::Owner, now)?;
    let ws = Workspace {
        id: Id::random(),
        name: DEMO_WORKSPACE.into(),
        created_at: now,
    };
    let (token, _) = new_token(owner.id, Some("demo seed".into()), now)?;
    let owner_id = owner.id;
    state
        .store
        .bootstrap(ws.clone(), owner, token)
        .await
        .context("creating the demo workspace")?;
    let maya = state.store.member(ws.id, owner_id).await?;
    let mut people = vec![maya.clone()];
    for &(name, local, zone, role) in &PEOPLE[1..] {
        people.push(
            members::create_member(state, &maya, input(name, local, zone, role), None).await?,
        );
    }
    Ok(people)
}

/// Working hours that differ the way a real team's do: split days, a four-day week, an
/// overnight support shift and time off, so availability and due times show real shapes.
/// (email local part, weekly hours as JSON)
const SCHEDULES: &[(&str, &str)] = &[
    (
        "priya",
        r#"{"mon": [["10:00","13:00"],["14:00","19:00"]], "tue": [["10:00","13:00"],["14:00","19:00"]], "wed": [["10:00","13:00"],["14:00","19:00"]], "thu": [["10:00","13:00"],["14:00","19:00"]], "fri": [["10:00","13:00"],["14:00","17:00"]]}"#,
    ),
    (
        "sofia",
        r#"{"mon": [["08:30","17:30"]], "tue": [["08:30","17:30"]], "wed": [["08:30","17:30"]], "thu": [["08:30","17:30"]]}"#,
    ),
    (
        "kenji",
        r#"{"tue": [["22:00","06:00"]], "wed": [["22:00","06:00"]], "thu": [["22:00","06:00"]], "fri": [["22:00","06:00"]], "sat": [["22:00","06:00"]]}"#,
    ),
    (
        "yuki",
        r#"{"mon": [["10:00","18:30"]], "tue": [["10:00","18:30"]], "wed": [["10:00","18:30"]], "thu": [["10:00","18:30"]], "fri": [["10:00","16:00"]]}"#,
    ),
    (
        "chidi",
        r#"{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","16:00"]], "thu": [["08:00","16:00"]], "fri": [["08:00","14:00"]]}"#,
    ),
    (
        "olivia",
        r#"{"mon": [["08:30","16:30"]], "tue": [["08:30","16:30"]], "wed": [["08:30","16:30"]], "thu": [["08:30","16:30"]], "fri": [["08:30","12:30"]]}"#,
    ),
];

async fn set_schedules(state: &AppState, people: &[Member]) -> anyhow::Result<()> {
    let maya = people.first().context("the demo team is empty")?;
    for (local, weekly) in SCHEDULES {
        let member = people
            .iter()
            .find(|m| m.email == email(local))
            .context("demo person missing")?;
        let weekly = serde_json::from_str(weekly).context("demo schedule")?;
        let spec = ScheduleSpec {
            timezone: member.timezone.clone(),
            weekly,
            time_off: Vec::new(),
            focus: focus_for(local),
        };
        schedules::set_schedule(state, maya, member.id, spec).await?;
    }
    // Ana is off for the next week: her asks fall due after she is back.
    let ana = people
        .iter()
        .find(|m| m.email == email("ana"))
        .context("demo person missing")?;
    let today = state
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let spec = ScheduleSpec {
        timezone: ana.timezone.clone(),
        weekly: serde_json::from_str(r#"{"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]]}"#).context("demo schedule")?,
        time_off: vec![TimeOffSpec { start: (today + jiff::ToSpan::days(7)).to_string(), end: (today + jiff::ToSpan::days(11)).to_string() }],
        focus: Vec::new(),
    };
    schedules::set_schedule(state, maya, ana.id, spec).await?;
    Ok(())
}

/// Priya keeps her mornings for deep work.
fn focus_for(local: &str) -> Vec<FocusSpec> {
    if local != "priya" {
        return Vec::new();
    }
    vec![FocusSpec {
        days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu],
        start: "10:00".into(),
        end: "12:00".into(),
    }]
}
