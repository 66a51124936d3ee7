//! Conformance: API tokens and authentication. Only hashes are stored; a token authenticates
//! only while it is live and its member is active (reliability test 9 and 14 at store level).
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::token::hash_token;
use baton_store::conformance::prelude::*;
use baton_store::store_test;

store_test!(
    authenticate_with_the_bootstrap_token_hash_returns_the_owner,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;

        let principal = store
            .authenticate(&hash_token(&tenant.owner_token))
            .await
            .expect("authenticate");

        assert_eq!(principal, Some(tenant.owner));
    }
);

store_test!(
    authenticate_with_an_unknown_hash_returns_none,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;

        assert_eq!(
            store
                .authenticate(&hash_token("baton_not-a-token"))
                .await
                .expect("authenticate"),
            None
        );
        assert_eq!(
            store
                .authenticate(&tenant.owner_token)
                .await
                .expect("the secret itself"),
            None,
            "the secret is not its hash"
        );
    }
);

store_test!(
    create_token_returns_its_info_and_it_authenticates,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (secret, token) = new_token(ada.id, "laptop");

        let info = store
            .create_token(tenant.ws(), token.clone(), None)
            .await
            .expect("create_token");

        assert_eq!(info, token.info);
        assert_eq!(
            store
                .authenticate(&hash_token(&secret))
                .await
                .expect("authenticate"),
            Some(ada)
        );
    }
);

store_test!(
    list_tokens_shows_the_live_tokens_of_that_member_only,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (_, laptop) = new_token(ada.id, "laptop");
        let (_, phone) = new_token(ada.id, "phone");
        store
            .create_token(tenant.ws(), laptop.clone(), None)
            .await
            .expect("laptop");
        store
            .create_token(tenant.ws(), phone.clone(), None)
            .await
            .expect("phone");
        store
            .revoke_token(tenant.ws(), ada.id, laptop.info.id, ada.id, at(60))
            .await
            .expect("revoke laptop");

        let listed = store
            .list_tokens(tenant.ws(), ada.id, PageRequest::first())
            .await
            .map(|p| p.items)
            .expect("list_tokens");

        assert_eq!(listed, vec![phone.info]);
    }
);

store_test!(
    a_revoked_token_no_longer_authenticates,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let (secret, token) = new_token(tenant.owner.id, "laptop");
        store
            .create_token(tenant.ws(), token.clone(), None)
            .await
            .expect("create_token");

        store
            .revoke_token(
                tenant.ws(),
                tenant.owner.id,
                token.info.id,
                tenant.owner.id,
                at(60),
            )
            .await
            .expect("revoke");

        assert_eq!(
            store
                .authenticate(&hash_token(&secret))
                .await
                .expect("authenticate"),
            None
        );
        let bootstrap = store
            .authenticate(&hash_token(&tenant.owner_token))
            .await
            .expect("authenticate");
        assert_eq!(
            bootstrap.map(|m| m.id),
            Some(tenant.owner.id),
            "other tokens stay live"
        );
    }
);

store_test!(revoking_a_token_twice_is_not_found, |store| async move {
    let tenant = tenant(&*store, "acme").await;
    let (_, token) = new_token(tenant.owner.id, "laptop");
    store
        .create_token(tenant.ws(), token.clone(), None)
        .await
        .expect("create_token");
    store
        .revoke_token(
            tenant.ws(),
            tenant.owner.id,
            token.info.id,
            tenant.owner.id,
            at(60),
        )
        .await
        .expect("first revoke");

    assert_not_found(
        store
            .revoke_token(
                tenant.ws(),
                tenant.owner.id,
                token.info.id,
                tenant.owner.id,
                at(61),
            )
            .await,
    );
    assert_not_found(
        store
            .revoke_token(
                tenant.ws(),
                tenant.owner.id,
                Id::random(),
                tenant.owner.id,
                at(61),
            )
            .await,
    );
});

store_test!(
    revoking_another_members_token_is_not_found_and_leaves_it_live,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (secret, token) = new_token(ada.id, "laptop");
        store
            .create_token(tenant.ws(), token.clone(), None)
            .await
            .expect("create_token");

        assert_not_found(
            store
                .revoke_token(
                    tenant.ws(),
                    tenant.owner.id,
                    token.info.id,
                    tenant.owner.id,
                    at(60),
                )
                .await,
        );

        assert_eq!(
            store
                .authenticate(&hash_token(&secret))
                .await
                .expect("authenticate")
                .map(|m| m.id),
            Some(ada.id)
        );
    }
);

store_test!(
    deactivating_a_member_revokes_all_their_tokens,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (laptop_secret, laptop) = new_token(ada.id, "laptop");
        let (phone_secret, phone) = new_token(ada.id, "phone");
        store
            .create_token(tenant.ws(), laptop, None)
            .await
            .expect("laptop");
        store
            .create_token(tenant.ws(), phone, None)
            .await
            .expect("phone");

        store
            .deactivate_member(tenant.ws(), ada.id, tenant.owner.id, at(60))
            .await
            .expect("deactivate");

        for secret in [laptop_secret, phone_secret] {
            assert_eq!(
                store
                    .authenticate(&hash_token(&secret))
                    .await
                    .expect("authenticate"),
                None
            );
        }
        assert_eq!(
            store
                .list_tokens(tenant.ws(), ada.id, PageRequest::first())
                .await
                .map(|p| p.items)
                .expect("list_tokens"),
            vec![]
        );
        let owner = store
            .authenticate(&hash_token(&tenant.owner_token))
            .await
            .expect("authenticate");
        assert_eq!(
            owner.map(|m| m.id),
            Some(tenant.owner.id),
            "other members keep their tokens"
        );
    }
);

store_test!(
    authenticate_reflects_a_role_change_at_once,
    |store| async move {
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let (secret, token) = new_token(ada.id, "laptop");
        store
            .create_token(tenant.ws(), token, None)
            .await
            .expect("create_token");

        store
            .set_role(tenant.ws(), ada.id, Role::Guest, tenant.owner.id, at(60))
            .await
            .expect("set_role");

        let principal = store
            .authenticate(&hash_token(&secret))
            .await
            .expect("authenticate")
            .expect("live token");
        assert_eq!(principal.role, Role::Guest);
    }
);
