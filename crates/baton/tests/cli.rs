//! The `baton` command line as an operator meets it: `serve` failing fast with one clear line
//! (busy port, unreachable PostgreSQL, unsupported database URL), `serve` on an empty database
//! printing the setup code another machine's browser needs, `admin bootstrap` (its JSON,
//! its token, and refusing bad input without writing anything), `migrate` run twice, `demo`
//! run twice (idempotent, a team across time zones) and workspace isolation of the demo.

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{Deployment, Http, Outcome, Server, Session};
use serde_json::Value;

// ----------------------------------------------------------------------------------------
// serve: startup failures
// ----------------------------------------------------------------------------------------

#[test]
fn serve_on_a_busy_port_exits_non_zero_with_one_line_naming_the_address() {
    let deployment = Deployment::sqlite();
    let taken = TcpListener::bind("127.0.0.1:0").expect("binding a port to keep busy");
    let addr = taken.local_addr().expect("the busy address").to_string();

    let out = deployment.baton(&["serve", "--listen", &addr], "");

    let line = out.assert_one_line_failure("baton serve on a busy port");
    assert!(
        line.contains(&addr),
        "the error line should name {addr}: {line}"
    );
    drop(taken);
}

#[test]
fn serve_with_an_unreachable_postgresql_exits_non_zero_within_seconds_with_one_clear_line() {
    let deployment = Deployment::with_database_url("postgres://nobody@127.0.0.1:1/x");
    let listen = common::free_addr().to_string();

    let out = deployment.baton(&["serve", "--listen", &listen], "");

    let line = out.assert_one_line_failure("baton serve with an unreachable PostgreSQL");
    assert!(
        line.contains("PostgreSQL") || line.contains("127.0.0.1:1"),
        "the error line should mention PostgreSQL or its address: {line}"
    );
    assert!(
        out.elapsed < Duration::from_secs(6),
        "giving up on an unreachable database took {:?}",
        out.elapsed
    );
}

#[test]
fn serve_refuses_a_mysql_database_url_with_one_clear_line() {
    let deployment = Deployment::with_database_url("mysql://x");
    let listen = common::free_addr().to_string();

    let out = deployment.baton(&["serve", "--listen", &listen], "");

    let line = out.assert_one_line_failure("baton serve --database-url mysql://x");
    assert!(
        line.contains("mysql://x"),
        "the error line should quote the refused URL: {line}"
    );
    assert!(
        line.contains("postgres://"),
        "the error line should say what is supported: {line}"
    );
}

#[test]
fn serve_with_an_unreadable_smtp_ca_file_exits_with_one_clear_line() {
    let deployment = Deployment::sqlite();
    let listen = common::free_addr().to_string();
    let missing = "/nonexistent/baton-ca.pem";

    let out = deployment.baton(
        &[
            "serve",
            "--listen",
            &listen,
            "--smtp-url",
            "smtp://127.0.0.1:2525?tls=required",
            "--smtp-ca-file",
            missing,
        ],
        "",
    );

    let line = out.assert_one_line_failure("baton serve --smtp-ca-file missing");
    assert!(
        line.contains(missing),
        "the error line should name the file: {line}"
    );
}

// ----------------------------------------------------------------------------------------
// serve: first run
// ----------------------------------------------------------------------------------------

/// POSTs the first-run form with `code` to `server` as a trusted proxy relays a browser on
/// another machine (`X-Forwarded-For: 203.0.113.7`); answers the status code.
fn setup_from_another_machine(server: &Server, code: &str) -> u16 {
    let csrf = "ab".repeat(32);
    let body = format!(
        "csrf={csrf}&setup_code={code}&workspace=Acme&name=Ada&email=ada%40acme.test\
         &password=correct+horse+battery&timezone=Europe%2FBerlin&days=mon"
    );
    let mut stream = TcpStream::connect(server.addr).expect("connecting to baton serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    write!(
        stream,
        "POST /setup HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Cookie: baton_csrf={csrf}\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n{body}",
        server.addr,
        body.len()
    )
    .expect("sending the form");
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .expect("reading the reply");
    reply
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {reply}"))
}

#[tokio::test]
async fn serve_on_an_empty_database_prints_a_setup_code_that_sets_up_from_another_machine() {
    let deployment = Deployment::sqlite();
    let server = Server::start_with_env(&deployment, &[("BATON_TRUST_PROXY", "true")]).await;
    let log = server.log_text();
    let code = log
        .split_once("setup code ")
        .map(|(_, rest)| rest.chars().take(19).collect::<String>())
        .unwrap_or_else(|| panic!("no setup code printed:\n{log}"));
    assert_eq!(log.matches(code.as_str()).count(), 1, "shown once:\n{log}");

    assert_eq!(
        setup_from_another_machine(&server, "ABCD-EFGH-JKMN-PQRS"),
        403
    );
    assert_eq!(setup_from_another_machine(&server, ""), 403);
    assert_eq!(setup_from_another_machine(&server, &code), 303, "{log}");
    let credentials =
        serde_json::json!({"email": "ada@acme.test", "password": "correct horse battery"});
    let url = format!("{}/api/v1/tokens", server.base());
    let token = Http::new()
        .send("POST", &url, None, &[], Some(&credentials))
        .await
        .expect("POST /api/v1/tokens");
    assert_eq!(token.status, 201, "the owner exists: {}", token.text);
}

// ----------------------------------------------------------------------------------------
// admin bootstrap
// ----------------------------------------------------------------------------------------

#[tokio::test]
async fn bootstrap_prints_the_ids_and_a_token_that_authenticates_as_the_owner() {
    let deployment = Deployment::sqlite();
    let owner = deployment.bootstrap("Acme", "ada@acme.example", "Ada Lovelace", "Europe/London");

    let server = Server::start(&deployment).await;
    let me = Session::new(&server.base(), &owner.token)
        .get("/me")
        .await
        .expect(200, "GET /me with the bootstrap token");
    assert_eq!(me["id"].as_str(), Some(owner.member_id.as_str()));
    assert_eq!(me["email"].as_str(), Some("ada@acme.example"));
    assert_eq!(me["timezone"].as_str(), Some("Europe/London"));
    assert_eq!(me["role"].as_str(), Some("owner"));

    let stranger = Session::new(&server.base(), "not-a-token").get("/me").await;
    assert_eq!(
        stranger.status, 401,
        "an invalid token must be refused: {}",
        stranger.text
    );
    assert!(
        stranger
            .content_type
            .starts_with("application/problem+json"),
        "401 as problem+json, got {}",
        stranger.content_type
    );
}

/// Runs a bootstrap that must fail; returns its one stderr line after checking that it
/// printed nothing on stdout.
fn failed_bootstrap(deployment: &Deployment, timezone: &str, password: &str) -> String {
    let out = deployment.baton(
        &[
            "admin",
            "bootstrap",
            "--workspace",
            "Broken",
            "--email",
            "bad@acme.example",
            "--name",
            "Bad Input",
            "--timezone",
            timezone,
        ],
        &format!("{password}\n"),
    );
    let line = out
        .assert_one_line_failure("baton admin bootstrap with bad input")
        .to_owned();
    assert!(
        out.stdout.trim().is_empty(),
        "a failed bootstrap printed on stdout: {}",
        out.stdout
    );
    line
}

/// After a failed bootstrap: a good one yields a workspace whose only member is its owner, and
/// the database holds exactly that one workspace and member.
async fn assert_only_the_good_workspace_exists(deployment: &Deployment) {
    let owner = deployment.bootstrap("Acme", "ada@acme.example", "Ada Lovelace", "Europe/London");
    let server = Server::start(deployment).await;
    let members = Session::new(&server.base(), &owner.token)
        .get_all("/members?limit=200", "members")
        .await;
    assert_eq!(members.len(), 1, "only the owner should exist: {members:?}");
    assert_eq!(members[0]["id"].as_str(), Some(owner.member_id.as_str()));
    drop(server);

    let db = deployment.open_sqlite();
    let count = |table: &str| -> i64 {
        db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .expect("counting rows")
    };
    assert_eq!(
        count("workspaces"),
        1,
        "the failed bootstrap left a workspace behind"
    );
    assert_eq!(
        count("members"),
        1,
        "the failed bootstrap left a member behind"
    );
}

#[tokio::test]
async fn bootstrap_with_an_unknown_time_zone_fails_clearly_and_writes_no_workspace() {
    let deployment = Deployment::sqlite();

    let line = failed_bootstrap(&deployment, "Mars/Olympus", common::PASSWORD);
    assert!(
        line.contains("Mars/Olympus"),
        "the error should name the bad zone: {line}"
    );
    assert!(
        line.contains("time zone"),
        "the error should say it is about the time zone: {line}"
    );

    assert_only_the_good_workspace_exists(&deployment).await;
}

#[tokio::test]
async fn bootstrap_with_a_three_character_password_fails_clearly_and_writes_no_workspace() {
    let deployment = Deployment::sqlite();

    let line = failed_bootstrap(&deployment, "Europe/Berlin", "abc");
    assert!(
        line.to_lowercase().contains("password"),
        "the error should say it is about the password: {line}"
    );

    assert_only_the_good_workspace_exists(&deployment).await;
}

// ----------------------------------------------------------------------------------------
// migrate
// ----------------------------------------------------------------------------------------

#[test]
fn migrate_twice_succeeds_and_applies_each_migration_once() {
    let deployment = Deployment::sqlite();
    let applied = || -> i64 {
        deployment
            .open_sqlite()
            .query_row("SELECT COUNT(*) FROM refinery_schema_history", [], |row| {
                row.get(0)
            })
            .expect("reading the migration history")
    };

    deployment
        .baton(&["migrate"], "")
        .assert_success("first baton migrate");
    let first = applied();
    deployment
        .baton(&["migrate"], "")
        .assert_success("second baton migrate");

    assert!(first > 0, "the first migrate applied no migration");
    assert_eq!(
        applied(),
        first,
        "the second migrate applied migrations again"
    );
}

// ----------------------------------------------------------------------------------------
// demo
// ----------------------------------------------------------------------------------------

/// Runs `baton demo`; returns the API token it prints for Maya.
fn run_demo(deployment: &Deployment) -> String {
    let out: Outcome = deployment.baton(&["demo"], "");
    out.assert_success("baton demo");
    const MARKER: &str = "API token for Maya (new for this start): ";
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains(MARKER))
        .unwrap_or_else(|| panic!("baton demo printed no API token line:\n{}", out.stdout));
    let token = line
        .split_once(MARKER)
        .map(|(_, t)| t.trim())
        .unwrap_or_default();
    assert!(!token.is_empty(), "empty demo token in: {line}");
    token.to_owned()
}

/// Row counts of the demo's content tables (tokens excluded: every run issues one).
fn content_counts(deployment: &Deployment) -> Vec<(&'static str, i64)> {
    let db = deployment.open_sqlite();
    [
        "workspaces",
        "members",
        "spaces",
        "space_members",
        "threads",
        "posts",
        "meetings",
    ]
    .into_iter()
    .map(|table| {
        let n = db
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("counting rows");
        (table, n)
    })
    .collect()
}

#[tokio::test]
async fn demo_twice_keeps_one_demo_workspace_with_a_team_across_six_time_zones() {
    let deployment = Deployment::sqlite();

    run_demo(&deployment);
    let first = content_counts(&deployment);
    let token = run_demo(&deployment);
    let second = content_counts(&deployment);

    assert_eq!(
        second, first,
        "a second baton demo changed the demo's content"
    );
    let demo_workspaces: i64 = deployment
        .open_sqlite()
        .query_row(
            "SELECT COUNT(*) FROM workspaces WHERE name LIKE '%(demo)%'",
            [],
            |row| row.get(0),
        )
        .expect("counting demo workspaces");
    assert_eq!(
        demo_workspaces, 1,
        "there should be exactly one demo workspace"
    );

    let server = Server::start(&deployment).await;
    let maya = Session::new(&server.base(), &token);
    let members = maya.get_all("/members?limit=200", "members").await;
    let zones = common::distinct(&members, "timezone");
    assert!(
        members.len() >= 12,
        "the demo team has only {} members",
        members.len()
    );
    assert!(
        zones.len() >= 6,
        "the demo team spans only {} time zones: {zones:?}",
        zones.len()
    );
    assert_eq!(
        common::distinct(&members, "email").len(),
        members.len(),
        "a demo member is listed twice"
    );

    let spaces = maya.get("/spaces").await.expect(200, "GET /spaces as Maya");
    let spaces = spaces["spaces"].as_array().expect("spaces array");
    assert!(
        spaces.len() >= 4,
        "the demo has only {} spaces Maya can see",
        spaces.len()
    );

    // Two held meetings (one closed with its notes, one waiting to be closed), a decision
    // meeting at the fairest slot, invited with its agenda and pre-work, and a draft.
    let meetings = maya
        .get("/meetings")
        .await
        .expect(200, "GET /meetings as Maya");
    let statuses: Vec<&str> = meetings["meetings"]
        .as_array()
        .expect("meetings array")
        .iter()
        .filter_map(|m| m["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["closed", "invited", "invited", "draft"],
        "{meetings}"
    );
    let upcoming = &meetings["meetings"][2];
    assert_eq!(upcoming["prework_due"].as_array().map(Vec::len), Some(4));
    let thread = upcoming["thread_id"]
        .as_str()
        .expect("an invitation thread");
    let posts = maya
        .get(&format!("/threads/{thread}/posts"))
        .await
        .expect(200, "the invitation thread");
    assert!(
        posts["posts"][0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("Pre-work")),
        "{posts}"
    );
    assert!(
        meetings["meetings"][0]["closed_at"].is_string(),
        "{meetings}"
    );
    // The closed meeting's action is an ask in Lukas's inbox; the pre-work asks of the held
    // meetings were answered in their threads.
    let closed_thread = meetings["meetings"][0]["thread_id"]
        .as_str()
        .expect("a thread");
    let asks = maya
        .get("/asks?direction=from_me&state=all")
        .await
        .expect(200, "Maya's asks");
    let in_closed: Vec<&Value> = asks["asks"]
        .as_array()
        .expect("asks array")
        .iter()
        .filter(|a| a["thread_id"] == closed_thread)
        .collect();
    assert_eq!(
        in_closed.len(),
        4,
        "three pre-work asks and one action: {asks}"
    );

    // Maya opted in to hangouts and this round paired her with someone far away.
    let hangouts = maya
        .get("/hangouts")
        .await
        .expect(200, "GET /hangouts as Maya");
    assert_eq!(hangouts["opted_in"], true, "{hangouts}");
    assert!(hangouts["pair"]["partner_name"].is_string(), "{hangouts}");
}

#[tokio::test]
async fn a_token_from_another_workspace_sees_none_of_the_demo_spaces() {
    let deployment = Deployment::sqlite();
    let maya_token = run_demo(&deployment);
    let other = deployment.bootstrap(
        "Elsewhere",
        "eve@elsewhere.example",
        "Eve Else",
        "Asia/Tokyo",
    );

    let server = Server::start(&deployment).await;
    let maya = Session::new(&server.base(), &maya_token);
    let eve = Session::new(&server.base(), &other.token);

    let demo_spaces = maya.get("/spaces").await.expect(200, "GET /spaces as Maya");
    let demo_spaces: Vec<Value> = demo_spaces["spaces"]
        .as_array()
        .expect("spaces array")
        .clone();
    assert!(
        demo_spaces.len() >= 4,
        "the demo should show Maya at least 4 spaces"
    );
    let demo_ids = common::distinct(&demo_spaces, "id");

    let seen = eve
        .get("/spaces")
        .await
        .expect(200, "GET /spaces as the other workspace's owner");
    let seen_ids = common::distinct(seen["spaces"].as_array().expect("spaces array"), "id");
    let leaked: HashSet<&String> = seen_ids.intersection(&demo_ids).collect();
    assert!(
        leaked.is_empty(),
        "another workspace's owner lists demo spaces: {leaked:?}"
    );

    for id in &demo_ids {
        let reply = eve.get(&format!("/spaces/{id}")).await;
        assert_eq!(
            reply.status, 404,
            "GET /spaces/{id} of the demo from another workspace: {}",
            reply.text
        );
    }
    let members = eve.get_all("/members?limit=200", "members").await;
    assert_eq!(
        common::distinct(&members, "id"),
        HashSet::from([other.member_id.clone()]),
        "other workspace lists demo people"
    );
}
