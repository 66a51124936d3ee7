//! Conformance: every list the API pages is read a bounded page at a time, in list order, and
//! following `next_cursor` visits each item exactly once (tokens, spaces, a space's members,
//! post revisions, batons, a baton's handoffs). Also who a guest may know of (`co_members`,
//! `share_a_space`) and a baton's waiting handoff wherever its page falls.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use std::future::Future;

use baton_store::conformance::prelude::*;
use baton_store::store_test;

use crate::relays::{new_baton, new_handoff};

/// Items per page in these tests: small, so a handful of rows spans several pages.
const SMALL: u32 = 2;

/// Every page of a list, following cursors from the first page of [`SMALL`] items. Fails when
/// a page is over the limit or a list does not end within 100 pages.
async fn pages<T, F, Fut>(mut fetch: F) -> Vec<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = StoreResult<Page<T>>>,
{
    let mut request = PageRequest {
        after: None,
        limit: SMALL,
    };
    let mut all = Vec::new();
    for _ in 0..100 {
        let page = fetch(request).await.expect("a page");
        assert!(page.items.len() <= SMALL as usize, "a page over its limit");
        let next = next_request(&page, SMALL);
        all.push(page.items);
        match next {
            Some(next) => request = next,
            None => return all,
        }
    }
    panic!("the list did not end");
}

/// Asserts that `pages` are full pages of `SMALL` items but the last, and together `whole`.
#[track_caller]
fn assert_paged<T: PartialEq + std::fmt::Debug + Clone>(pages: &[Vec<T>], whole: &[T]) {
    let joined: Vec<T> = pages.iter().flatten().cloned().collect();
    assert_eq!(joined, whole, "pages join into the whole list, in order");
    let (last, full) = pages.split_last().expect("at least one page");
    assert!(full.iter().all(|p| p.len() == SMALL as usize), "{pages:?}");
    assert!(
        !last.is_empty() || full.is_empty(),
        "an empty page at the end"
    );
}

store_test!(
    tokens_are_listed_a_page_at_a_time_without_revoked_ones,
    |store| async move {
        let s: &dyn Store = &*store;
        let tenant = tenant(&*store, "acme").await;
        let ada = member(&*store, tenant.ws(), "ada@acme.test").await;
        let mut live = Vec::new();
        for i in 0..5 {
            let (_, token) = new_token(ada.id, &format!("device {i}"));
            live.push(
                store
                    .create_token(tenant.ws(), token, None)
                    .await
                    .expect("token"),
            );
        }
        let revoked = live.remove(2);
        store
            .revoke_token(tenant.ws(), ada.id, revoked.id, ada.id, at(9))
            .await
            .expect("revoke");
        let (ws, id) = (tenant.ws(), ada.id);
        let pages = pages(move |p| s.list_tokens(ws, id, p)).await;
        assert_paged(&pages, &live);
    }
);

store_test!(
    spaces_and_their_members_are_listed_a_page_at_a_time,
    |store| async move {
        let s: &dyn Store = &*store;
        let w = world(&*store, "acme").await;
        let mut spaces = vec![w.space.clone()];
        let mut members = vec![w.owner().clone()];
        for i in 0..4 {
            let s = space(
                &*store,
                w.ws(),
                w.owner().id,
                &format!("s{i}"),
                Visibility::Public,
            )
            .await;
            spaces.push(s);
            let m = member(&*store, w.ws(), &format!("m{i}@acme.test")).await;
            store
                .add_space_member(w.ws(), w.space.id, m.id, at(10 - i))
                .await
                .expect("join");
            members.push(m);
        }
        let (ws, viewer, space_id) = (w.ws(), w.owner().id, w.space.id);
        let listed = pages(move |p| s.spaces_for(ws, viewer, p)).await;
        let expected: Vec<(Space, bool)> = spaces.into_iter().map(|s| (s, true)).collect();
        assert_paged(&listed, &expected);
        let listed = pages(move |p| s.space_members(ws, space_id, p)).await;
        assert_paged(&listed, &members);
    }
);

store_test!(
    post_revisions_are_listed_a_page_at_a_time_oldest_first,
    |store| async move {
        let s: &dyn Store = &*store;
        let w = world(&*store, "acme").await;
        let post = w.thread.post.clone();
        for i in 0..5 {
            let body = format!("version {i}");
            store
                .edit_post(w.ws(), post.id, body.clone(), body, at(20 + i))
                .await
                .expect("edit");
        }
        let (ws, id) = (w.ws(), post.id);
        let listed = pages(move |p| s.post_revisions(ws, id, p)).await;
        let bodies: Vec<Vec<String>> = listed
            .iter()
            .map(|page| page.iter().map(|r| r.body.clone()).collect())
            .collect();
        let mut expected = vec![post.body.clone()];
        expected.extend((0..4).map(|i| format!("version {i}")));
        assert_paged(&bodies, &expected);
    }
);

store_test!(
    batons_and_a_batons_handoffs_are_listed_a_page_at_a_time,
    |store| async move {
        let s: &dyn Store = &*store;
        let w = world(&*store, "acme").await;
        let (owner, mate) = (w.owner().id, w.member.id);
        let mut held = Vec::new();
        for i in 0..5 {
            let holder = if i == 3 { mate } else { owner };
            let baton = store
                .create_baton(w.ws(), new_baton(owner, holder, None, &format!("b{i}")))
                .await
                .expect("baton");
            if holder == owner {
                held.push(baton);
            }
        }
        let ws = w.ws();
        let listed = pages(move |p| s.list_batons(ws, Some(owner), p)).await;
        assert_paged(&listed, &held);

        // Passed back and forth: three accepted handoffs, then one still waiting.
        let baton = held[0].id;
        let mut history = Vec::new();
        for (i, (from, to)) in [(owner, mate), (mate, owner), (owner, mate), (mate, owner)]
            .into_iter()
            .enumerate()
        {
            let secs = 100 * (i as i64 + 1);
            let h = store
                .create_handoff(ws, new_handoff(baton, from, to, secs))
                .await
                .expect("handoff");
            let h = if i < 3 {
                store
                    .resolve_handoff(ws, h.id, Resolution::Accept, at(secs + 10))
                    .await
                    .expect("accept")
            } else {
                h
            };
            history.push(h);
        }
        let listed = pages(move |p| s.handoffs_of(ws, baton, p)).await;
        assert_paged(&listed, &history);
        assert_eq!(
            store.pending_handoff(ws, baton).await.expect("pending"),
            history.last().cloned(),
            "the waiting handoff is found though it is on the last page"
        );
        assert_eq!(
            store.pending_handoff(ws, held[1].id).await.expect("none"),
            None
        );
    }
);

store_test!(
    a_member_shares_a_space_only_with_the_members_of_their_spaces,
    |store| async move {
        let s: &dyn Store = &*store;
        let w = world(&*store, "acme").await;
        let guest = member(&*store, w.ws(), "guest@acme.test").await;
        let alone = member(&*store, w.ws(), "alone@acme.test").await;
        let private = space(&*store, w.ws(), w.member.id, "Client", Visibility::Private).await;
        store
            .add_space_member(w.ws(), private.id, guest.id, at(5))
            .await
            .expect("join");
        let ws = w.ws();
        assert!(
            store
                .share_a_space(ws, guest.id, w.member.id)
                .await
                .expect("shares")
        );
        assert!(
            store
                .share_a_space(ws, w.member.id, guest.id)
                .await
                .expect("both ways")
        );
        assert!(
            !store
                .share_a_space(ws, guest.id, w.owner().id)
                .await
                .expect("owner")
        );
        assert!(
            !store
                .share_a_space(ws, alone.id, alone.id)
                .await
                .expect("no space")
        );

        let known = pages(move |p| s.co_members(ws, guest.id, p)).await;
        let ids: Vec<Id> = known.iter().flatten().map(|m| m.id).collect();
        assert_eq!(
            ids,
            vec![w.member.id, guest.id],
            "in creation order, themself included"
        );
        let known = pages(move |p| s.co_members(ws, alone.id, p)).await;
        assert_eq!(known.concat(), vec![alone.clone()]);

        let other = world(&*store, "globex").await;
        assert!(
            !store
                .share_a_space(other.ws(), guest.id, w.member.id)
                .await
                .expect("other ws")
        );
        assert!(
            store
                .co_members(other.ws(), guest.id, PageRequest::first())
                .await
                .expect("other ws")
                .items
                .is_empty()
        );
    }
);
