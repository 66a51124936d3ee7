//! Fixtures for the conformance suite: values to write and small builders that write them.
//!
//! Owns: fixed instants (every timestamp is `T0` plus a few seconds, so results compare
//! exactly), random ids, rendered HTML, and the builders `tenant`, `world` and friends.
//! Does not own: any rule (builders call the store exactly as the server would), or checks on
//! what the store returns (see `checks`).

use baton_core::Id;
use baton_core::markdown::render;
use baton_core::model::{
    CreatedThread, Member, NewAsk, NewMember, NewPost, NewSession, NewThread, NewToken, Post,
    Space, TokenInfo, Workspace,
};
use baton_core::role::Role;
use baton_core::token::{TOKEN_PREFIX, hash_token};
use baton_core::visibility::Visibility;
use jiff::Timestamp;

use crate::{IdempotencyKey, Store};

/// The suite's epoch, in unix seconds.
pub const T0: i64 = 1_780_000_000;

/// The instant `secs` seconds after the suite's epoch.
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(T0 + secs).expect("fixture instants are in range")
}

/// A member to create, with no password, created at `T0`.
pub fn new_member(email: &str, role: Role) -> NewMember {
    NewMember {
        id: Id::random(),
        email: email.to_owned(),
        name: format!("Name of {email}"),
        timezone: "Europe/Berlin".to_owned(),
        role,
        password_hash: None,
        created_at: at(0),
    }
}

/// A fresh token for `member`: the secret a client would present, and what the store keeps.
pub fn new_token(member: Id, label: &str) -> (String, NewToken) {
    // Any unpredictable text will do here; the server makes real secrets from a CSPRNG.
    let secret = format!("{TOKEN_PREFIX}{}", hash_token(&Id::random().to_string()));
    let info = TokenInfo {
        id: Id::random(),
        member_id: member,
        label: Some(label.to_owned()),
        created_at: at(0),
    };
    let hash = hash_token(&secret);
    (secret, NewToken { info, hash })
}

/// A fresh session for `member` started at `at(secs)`: the cookie secret and what the store keeps.
pub fn new_session(member: Id, secs: i64) -> (String, NewSession) {
    let secret = hash_token(&Id::random().to_string());
    let session = NewSession {
        id: Id::random(),
        member_id: member,
        hash: hash_token(&secret),
        created_at: at(secs),
    };
    (secret, session)
}

/// A space to create. `seq` is left at 0: the store assigns it.
pub fn new_space(creator: Id, name: &str, visibility: Visibility) -> Space {
    Space {
        id: Id::random(),
        name: name.to_owned(),
        visibility,
        created_by: creator,
        created_at: at(0),
        seq: 0,
    }
}

/// A post to write, with HTML rendered from `body` and no expectation.
pub fn new_post(thread: Id, author: Id, body: &str, secs: i64) -> NewPost {
    NewPost {
        id: Id::random(),
        thread_id: thread,
        author_id: author,
        body: body.to_owned(),
        html: render(body),
        expectation: None,
        asks: Vec::new(),
        mentions: Vec::new(),
        created_at: at(secs),
    }
}

/// A post by `author` asking each of `to` to reply, the first due an hour after `T0 + secs`,
/// the next an hour later, and so on. Written, it creates asks and one `ask` event.
pub fn asking_post(thread: Id, author: Id, to: &[Id], secs: i64) -> NewPost {
    let mut post = new_post(thread, author, "Can you review?", secs);
    post.asks = (1..)
        .zip(to)
        .map(|(hours, id)| NewAsk {
            id: Id::random(),
            to_id: *id,
            due_at: at(secs + 3600 * hours),
        })
        .collect();
    post
}

/// A thread to start, with an opening post by `author`.
pub fn new_thread(space: Id, author: Id, title: &str, secs: i64) -> NewThread {
    let id = Id::random();
    NewThread {
        id,
        space_id: space,
        title: title.to_owned(),
        first_post: new_post(id, author, &format!("Opening post of {title}"), secs),
    }
}

/// An idempotency key claimed by `member`.
pub fn idem(member: Id, key: &str, fingerprint: &str) -> IdempotencyKey {
    IdempotencyKey {
        member_id: member,
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
    }
}

/// A bootstrapped workspace: the workspace, its owner and the owner's first token.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// The workspace.
    pub workspace: Workspace,
    /// Its owner, as stored.
    pub owner: Member,
    /// The owner's token secret (its hash is stored).
    pub owner_token: String,
}

impl Tenant {
    /// The workspace id.
    pub fn ws(&self) -> Id {
        self.workspace.id
    }
}

/// Bootstraps a workspace named `name` with owner `owner@<name>.test`. Use [`world`] instead
/// when the test also needs a member, a space and a thread; use `store.bootstrap` directly when
/// the bootstrap itself is under test.
pub async fn tenant(store: &dyn Store, name: &str) -> Tenant {
    let workspace = Workspace {
        id: Id::random(),
        name: name.to_owned(),
        created_at: at(0),
    };
    let owner = new_member(&format!("owner@{name}.test"), Role::Owner);
    let (owner_token, token) = new_token(owner.id, "bootstrap");
    store
        .bootstrap(workspace.clone(), owner.clone(), token)
        .await
        .expect("bootstrap");
    let owner = store
        .member(workspace.id, owner.id)
        .await
        .expect("the owner exists after bootstrap");
    Tenant {
        workspace,
        owner,
        owner_token,
    }
}

/// Adds a member with role `Member` to `ws`. Not for tests of `create_member` itself.
pub async fn member(store: &dyn Store, ws: Id, email: &str) -> Member {
    store
        .create_member(ws, new_member(email, Role::Member), None)
        .await
        .expect("create_member")
}

/// Creates a space; `creator` becomes its first member. Not for tests of `create_space` itself.
pub async fn space(
    store: &dyn Store,
    ws: Id,
    creator: Id,
    name: &str,
    visibility: Visibility,
) -> Space {
    store
        .create_space(ws, new_space(creator, name, visibility), None)
        .await
        .expect("create_space")
}

/// Starts a thread by `author` at `T0 + secs`. Not for tests of `create_thread` itself.
pub async fn thread(
    store: &dyn Store,
    ws: Id,
    space: Id,
    author: Id,
    title: &str,
    secs: i64,
) -> CreatedThread {
    store
        .create_thread(ws, new_thread(space, author, title, secs), None)
        .await
        .expect("create_thread")
}

/// Adds a post by `author` at `T0 + secs`. Not for tests of `create_post` itself.
pub async fn post(
    store: &dyn Store,
    ws: Id,
    thread: Id,
    author: Id,
    body: &str,
    secs: i64,
) -> Post {
    store
        .create_post(ws, new_post(thread, author, body, secs), None)
        .await
        .expect("create_post")
}

/// A workspace with an owner, one member, a public space created by the owner and a thread in
/// it started by the owner: the usual starting point. Tests about one of these steps should
/// build it by hand instead.
#[derive(Debug, Clone)]
pub struct World {
    /// The workspace and its owner.
    pub tenant: Tenant,
    /// An ordinary member (not in the space).
    pub member: Member,
    /// A public space created by the owner.
    pub space: Space,
    /// A thread in the space, started by the owner.
    pub thread: CreatedThread,
}

impl World {
    /// The workspace id.
    pub fn ws(&self) -> Id {
        self.tenant.workspace.id
    }

    /// The owner.
    pub fn owner(&self) -> &Member {
        &self.tenant.owner
    }
}

/// Builds a [`World`] in a workspace named `name`.
pub async fn world(store: &dyn Store, name: &str) -> World {
    let tenant = tenant(store, name).await;
    let ws = tenant.ws();
    let member = member(store, ws, &format!("member@{name}.test")).await;
    let space = space(store, ws, tenant.owner.id, "General", Visibility::Public).await;
    let thread = thread(store, ws, space.id, tenant.owner.id, "Kick-off", 1).await;
    World {
        tenant,
        member,
        space,
        thread,
    }
}

/// Two worlds side by side, "acme" and "globex": for tests where one workspace's caller tries
/// the other's ids.
pub async fn two_worlds(store: &dyn Store) -> (World, World) {
    (world(store, "acme").await, world(store, "globex").await)
}
