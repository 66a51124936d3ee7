//! Conformance: workspaces and health. Bootstrap creates the workspace and its owner in one
//! step; lookups are by id; `ping` round-trips.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(ping_succeeds, |store| async move {
    store.ping().await.expect("ping");
});

store_test!(
    bootstrap_creates_the_workspace_and_its_owner,
    |store| async move {
        let workspace = Workspace {
            id: Id::random(),
            name: "Acme".to_owned(),
            created_at: at(0),
        };
        let mut owner = new_member("owner@acme.test", Role::Owner);
        owner.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned());
        let (_, token) = new_token(owner.id, "first");

        store
            .bootstrap(workspace.clone(), owner.clone(), token)
            .await
            .expect("bootstrap");

        assert_eq!(
            store.workspace(workspace.id).await.expect("workspace"),
            workspace
        );
        let stored = store.member(workspace.id, owner.id).await.expect("owner");
        assert_eq!(
            (
                stored.id,
                stored.workspace_id,
                stored.email.as_str(),
                stored.name.as_str()
            ),
            (
                owner.id,
                workspace.id,
                "owner@acme.test",
                owner.name.as_str()
            )
        );
        assert_eq!(
            (stored.role, stored.active, stored.created_at),
            (Role::Owner, true, at(0))
        );
        assert_eq!(stored.timezone, "Europe/Berlin");
        assert_eq!(
            store
                .password_hash(workspace.id, owner.id)
                .await
                .expect("hash"),
            owner.password_hash
        );
    }
);

store_test!(
    bootstrap_stores_the_owners_first_token,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let tokens = store
            .list_tokens(tenant.ws(), tenant.owner.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("list_tokens");
        assert_eq!(tokens.len(), 1);
        assert_eq!(
            (tokens[0].member_id, tokens[0].label.as_deref()),
            (tenant.owner.id, Some("bootstrap"))
        );
    }
);

store_test!(
    workspace_of_an_unknown_id_is_not_found,
    |store| async move {
        tenant(&*store, "acme").await;
        assert_not_found(store.workspace(Id::random()).await);
    }
);

store_test!(
    workspaces_lists_every_workspace_oldest_first,
    |store| async move {
        assert!(
            store.workspaces().await.expect("workspaces").is_empty(),
            "a new database has no workspace"
        );
        let mut created = Vec::new();
        for (i, name) in ["first", "second", "third"].into_iter().enumerate() {
            let workspace = Workspace {
                id: Id::random(),
                name: name.to_owned(),
                created_at: at(i as i64 * 60),
            };
            let owner = new_member(&format!("owner@{name}.test"), Role::Owner);
            let (_, token) = new_token(owner.id, "first");
            store
                .bootstrap(workspace.clone(), owner, token)
                .await
                .expect("bootstrap");
            created.push(workspace);
        }

        assert_eq!(store.workspaces().await.expect("workspaces"), created);
    }
);
