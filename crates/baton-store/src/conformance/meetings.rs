//! Conformance: meetings. Stored whole in one transaction (participants in order with their
//! pre-work deadlines, agenda, pre-work), read whole only by their participants, listed per
//! participant in creation order and paged, and never across workspaces: a participant, agenda
//! owner or space of another workspace writes nothing. The steps of a meeting's life (invited
//! with its thread, closed with its notes, cancelled) each happen whole from the state they
//! need, or not at all.
//!
//! Compiled into the `conformance` test binary (see `conformance/mod.rs`), not the library.

use baton_core::meeting::{AgendaItem, Meeting, MeetingStatus, PreworkDue, PreworkItem, Purpose};
use baton_store::conformance::prelude::*;
use baton_store::store_test;

/// A complete meeting of `ws` called by `organizer` with `others`, created at `secs`.
fn meeting(ws: Id, organizer: Id, others: &[Id], secs: i64) -> Meeting {
    let mut participants = vec![organizer];
    participants.extend_from_slice(others);
    Meeting {
        workspace_id: ws,
        id: Id::random(),
        title: "Vendor decision".into(),
        purpose: Purpose::Other,
        justification: Some("We must agree live with the vendor present.".into()),
        organizer_id: organizer,
        start: at(secs + 86_400),
        duration_minutes: 45,
        status: MeetingStatus::Invited,
        space_id: None,
        created_at: at(secs),
        prework_due: participants
            .iter()
            .enumerate()
            .map(|(n, m)| PreworkDue {
                member_id: *m,
                due_at: at(secs + 3_600 * i64::try_from(n).expect("few")),
            })
            .collect(),
        participants,
        agenda: vec![
            AgendaItem {
                item: "Options".into(),
                owner_id: organizer,
                minutes: 15,
            },
            AgendaItem {
                item: "Choose".into(),
                owner_id: others.first().copied().unwrap_or(organizer),
                minutes: 30,
            },
        ],
        prework: vec![
            PreworkItem {
                what: "Read the comparison".into(),
                due_minutes_before: 240,
            },
            PreworkItem {
                what: "Try the demo".into(),
                due_minutes_before: 0,
            },
        ],
        sequence: 0,
        thread_id: None,
        video_url: Some("https://meet.example.com/vendor".into()),
        optional: others.iter().take(1).copied().collect(),
        closed_at: None,
    }
}

store_test!(
    a_meeting_is_read_back_whole_by_its_participants_only,
    |store| async move {
        let w = world(&*store, "acme").await;
        let outsider = member(&*store, w.ws(), "outsider@acme.example").await;
        let mut m = meeting(w.ws(), w.owner().id, &[w.member.id], 10);
        m.space_id = Some(w.space.id);
        store
            .create_meeting(w.ws(), m.clone())
            .await
            .expect("create");
        for viewer in [w.owner().id, w.member.id] {
            assert_eq!(
                store.meeting_for(w.ws(), m.id, viewer).await.expect("read"),
                m
            );
        }
        assert!(matches!(
            store.meeting_for(w.ws(), m.id, outsider.id).await,
            Err(StoreError::NotFound)
        ));
        let draft = Meeting {
            id: Id::random(),
            purpose: Purpose::Hangout,
            justification: None,
            status: MeetingStatus::Draft,
            agenda: Vec::new(),
            prework: Vec::new(),
            prework_due: Vec::new(),
            ..meeting(w.ws(), w.member.id, &[], 20)
        };
        store
            .create_meeting(w.ws(), draft.clone())
            .await
            .expect("create a draft");
        assert_eq!(
            store
                .meeting_for(w.ws(), draft.id, w.member.id)
                .await
                .expect("read"),
            draft
        );
    }
);

store_test!(
    meetings_are_listed_per_participant_in_creation_order_and_paged,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (owner, other) = (w.owner().id, w.member.id);
        let first = meeting(w.ws(), owner, &[other], 10);
        let second = meeting(w.ws(), other, &[], 20);
        let third = meeting(w.ws(), owner, &[], 30);
        for m in [&first, &second, &third] {
            store
                .create_meeting(w.ws(), m.clone())
                .await
                .expect("create");
        }
        let page = store
            .meetings_of(
                w.ws(),
                owner,
                PageRequest {
                    after: None,
                    limit: 1,
                },
            )
            .await
            .expect("list");
        assert_eq!(page.items, vec![first.clone()]);
        let cursor = page.next_cursor.expect("more");
        let rest = store
            .meetings_of(
                w.ws(),
                owner,
                PageRequest::parse(Some(&cursor), Some(10)).expect("cursor"),
            )
            .await
            .expect("list");
        assert_eq!(rest.items, vec![third]);
        assert_eq!(rest.next_cursor, None);
        let theirs = store
            .meetings_of(w.ws(), other, PageRequest::first())
            .await
            .expect("list");
        assert_eq!(theirs.items, vec![first, second]);
    }
);

store_test!(
    a_meeting_naming_anyone_or_anything_of_another_workspace_writes_nothing,
    |store| async move {
        let (a, b) = two_worlds(&*store).await;
        let (ws, owner) = (a.ws(), a.owner().id);
        let stranger = meeting(ws, owner, &[b.member.id], 10);
        let mut foreign_owner = meeting(ws, owner, &[a.member.id], 10);
        foreign_owner.agenda[1].owner_id = b.member.id;
        let mut foreign_space = meeting(ws, owner, &[a.member.id], 10);
        foreign_space.space_id = Some(b.space.id);
        let foreign_organizer = meeting(ws, b.owner().id, &[], 10);
        for m in [stranger, foreign_owner, foreign_space, foreign_organizer] {
            assert!(
                matches!(store.create_meeting(ws, m).await, Err(StoreError::NotFound)),
                "refused"
            );
        }
        for viewer in [owner, a.member.id] {
            let listed = store
                .meetings_of(ws, viewer, PageRequest::first())
                .await
                .expect("list");
            assert!(listed.items.is_empty(), "nothing written: {listed:?}");
        }
        // Nor is a meeting of one workspace read through another.
        let mine = meeting(ws, owner, &[], 10);
        store
            .create_meeting(ws, mine.clone())
            .await
            .expect("create");
        assert!(matches!(
            store.meeting_for(b.ws(), mine.id, owner).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    meeting_times_are_the_invited_meetings_overlapping_a_range_per_member,
    |store| async move {
        let w = world(&*store, "acme").await;
        let free = member(&*store, w.ws(), "free@acme.example").await;
        // Invited: starts a day after 10 s, 45 minutes. A draft at the same time holds nobody.
        let invited = meeting(w.ws(), w.owner().id, &[w.member.id], 10);
        let mut draft = meeting(w.ws(), w.member.id, &[], 10);
        draft.status = MeetingStatus::Draft;
        for m in [&invited, &draft] {
            store
                .create_meeting(w.ws(), m.clone())
                .await
                .expect("create");
        }
        let (start, end) = (at(10 + 86_400), at(10 + 86_400 + 45 * 60));
        let everyone = [w.owner().id, w.member.id, free.id];
        let mut times = store
            .meeting_times(w.ws(), &everyone, at(0), at(10 + 2 * 86_400))
            .await
            .expect("times");
        times.sort();
        let mut expected = vec![(w.owner().id, start, end), (w.member.id, start, end)];
        expected.sort();
        assert_eq!(times, expected);
        // A range that ends as the meeting starts, or starts as it ends, does not overlap it.
        for (from, to) in [(at(0), start), (end, at(10 + 2 * 86_400))] {
            let none = store
                .meeting_times(w.ws(), &everyone, from, to)
                .await
                .expect("times");
            assert!(none.is_empty(), "{none:?}");
        }
        // Another workspace sees none of it.
        let other = world(&*store, "other").await;
        let elsewhere = store
            .meeting_times(other.ws(), &everyone, at(0), at(10 + 2 * 86_400))
            .await
            .expect("times");
        assert!(elsewhere.is_empty());
    }
);

/// A draft of `meeting` in `w`'s space, with an invitation thread by its organizer asking the
/// other participants.
fn draft_with_invitation(w: &World, others: &[Id], secs: i64) -> (Meeting, NewThread) {
    let mut m = meeting(w.ws(), w.owner().id, others, secs);
    m.status = MeetingStatus::Draft;
    m.space_id = Some(w.space.id);
    let mut invitation = new_thread(w.space.id, w.owner().id, "Meeting: Vendor decision", secs);
    invitation.first_post = asking_post(invitation.id, w.owner().id, others, secs);
    (m, invitation)
}

store_test!(
    an_invitation_starts_the_thread_with_its_asks_and_everyone_follows_it,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (m, invitation) = draft_with_invitation(&w, &[w.member.id], 10);
        store
            .create_meeting(w.ws(), m.clone())
            .await
            .expect("create");
        store
            .invite_meeting(w.ws(), m.id, invitation.clone())
            .await
            .expect("invite");
        let read = store
            .meeting_for(w.ws(), m.id, w.member.id)
            .await
            .expect("read");
        assert_eq!(read.status, MeetingStatus::Invited);
        assert_eq!(read.thread_id, Some(invitation.id));
        assert_eq!(read.sequence, 0);
        assert_eq!(post_count(&*store, w.ws(), invitation.id).await, 1);
        let asks = store
            .asks_for_post(w.ws(), invitation.first_post.id)
            .await
            .expect("asks");
        assert_eq!(asks.len(), 1);
        assert_eq!(asks[0].to_id, w.member.id);
        for who in [w.owner().id, w.member.id] {
            assert!(
                store
                    .following(w.ws(), who, invitation.id)
                    .await
                    .expect("following")
            );
        }

        // Invited once: a second invitation is refused and writes no thread.
        let (_, again) = draft_with_invitation(&w, &[w.member.id], 20);
        assert!(matches!(
            store.invite_meeting(w.ws(), m.id, again.clone()).await,
            Err(StoreError::Conflict {
                constraint: Constraint::MeetingStatus
            })
        ));
        assert!(matches!(
            store.thread(w.ws(), again.id).await,
            Err(StoreError::NotFound)
        ));
        // No such meeting: nothing written either.
        let (_, stray) = draft_with_invitation(&w, &[], 30);
        assert!(matches!(
            store
                .invite_meeting(w.ws(), Id::random(), stray.clone())
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.thread(w.ws(), stray.id).await,
            Err(StoreError::NotFound)
        ));

        // A meeting invited as it is created gets its thread in the same transaction.
        let (mut fresh, thread) = draft_with_invitation(&w, &[w.member.id], 40);
        fresh.status = MeetingStatus::Invited;
        store
            .create_invited_meeting(w.ws(), fresh.clone(), thread.clone())
            .await
            .expect("create invited");
        let read = store
            .meeting_for(w.ws(), fresh.id, w.owner().id)
            .await
            .expect("read");
        assert_eq!(
            read,
            Meeting {
                thread_id: Some(thread.id),
                ..fresh
            }
        );
        assert!(
            store
                .following(w.ws(), w.member.id, thread.id)
                .await
                .expect("following")
        );
    }
);

store_test!(
    a_meeting_is_closed_once_with_its_notes_and_cancelled_only_before,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (m, invitation) = draft_with_invitation(&w, &[w.member.id], 10);
        store
            .create_meeting(w.ws(), m.clone())
            .await
            .expect("create");
        // A draft is not closed.
        let notes = asking_post(invitation.id, w.owner().id, &[w.member.id], 90_000);
        assert!(matches!(
            store.close_meeting(w.ws(), m.id, notes.clone()).await,
            Err(StoreError::Conflict {
                constraint: Constraint::MeetingStatus
            })
        ));
        store
            .invite_meeting(w.ws(), m.id, invitation.clone())
            .await
            .expect("invite");
        store
            .close_meeting(w.ws(), m.id, notes.clone())
            .await
            .expect("close");
        let read = store
            .meeting_for(w.ws(), m.id, w.owner().id)
            .await
            .expect("read");
        assert_eq!(read.status, MeetingStatus::Closed);
        assert_eq!(read.closed_at, Some(notes.created_at));
        assert_eq!(post_count(&*store, w.ws(), invitation.id).await, 2);
        assert_eq!(
            store
                .asks_for_post(w.ws(), notes.id)
                .await
                .expect("asks")
                .len(),
            1
        );
        // Closed: neither closed again nor cancelled, and nothing posted.
        let late = new_post(invitation.id, w.owner().id, "Cancelled", 95_000);
        assert!(matches!(
            store.close_meeting(w.ws(), m.id, late.clone()).await,
            Err(StoreError::Conflict {
                constraint: Constraint::MeetingStatus
            })
        ));
        assert!(matches!(
            store.cancel_meeting(w.ws(), m.id, Some(late)).await,
            Err(StoreError::Conflict {
                constraint: Constraint::MeetingStatus
            })
        ));
        assert_eq!(post_count(&*store, w.ws(), invitation.id).await, 2);

        // An invited meeting is cancelled with a notice in its thread; its time is free again.
        let (other, thread) = draft_with_invitation(&w, &[w.member.id], 20);
        store
            .create_meeting(w.ws(), other.clone())
            .await
            .expect("create");
        store
            .invite_meeting(w.ws(), other.id, thread.clone())
            .await
            .expect("invite");
        let notice = new_post(thread.id, w.owner().id, "Cancelled", 30);
        store
            .cancel_meeting(w.ws(), other.id, Some(notice))
            .await
            .expect("cancel");
        let read = store
            .meeting_for(w.ws(), other.id, w.member.id)
            .await
            .expect("read");
        assert_eq!((read.status, read.sequence), (MeetingStatus::Cancelled, 1));
        assert_eq!(post_count(&*store, w.ws(), thread.id).await, 2);
        let times = store
            .meeting_times(w.ws(), &[w.member.id], at(0), at(10 * 86_400))
            .await
            .expect("times");
        // Only the closed meeting, which was held, still takes time.
        let held = (w.member.id, m.start, at(10 + 86_400 + 45 * 60));
        assert_eq!(times, vec![held]);
        // A draft is cancelled without a thread; a missing meeting is not found.
        let (draft, _) = draft_with_invitation(&w, &[], 40);
        store
            .create_meeting(w.ws(), draft.clone())
            .await
            .expect("create");
        store
            .cancel_meeting(w.ws(), draft.id, None)
            .await
            .expect("cancel");
        assert!(matches!(
            store.cancel_meeting(w.ws(), Id::random(), None).await,
            Err(StoreError::NotFound)
        ));
    }
);

store_test!(
    a_workspace_sets_its_meeting_load_target_and_keeps_its_urgent_budget,
    |store| async move {
        let w = world(&*store, "acme").await;
        let other = world(&*store, "other").await;
        assert_eq!(store.meeting_load_target(w.ws()).await.expect("read"), None);
        store
            .set_urgent_budget(
                w.ws(),
                baton_core::delivery::UrgentBudget::new(7).expect("a budget"),
                w.owner().id,
                at(5),
            )
            .await
            .expect("budget");
        store
            .set_meeting_load_target(w.ws(), 0.1, w.owner().id, at(10))
            .await
            .expect("set");
        assert_eq!(
            store.meeting_load_target(w.ws()).await.expect("read"),
            Some(0.1)
        );
        assert_eq!(
            store
                .urgent_budget(w.ws())
                .await
                .expect("budget")
                .per_week(),
            7
        );
        // A workspace without settings gets a row with the default budget.
        store
            .set_meeting_load_target(other.ws(), 0.2, other.owner().id, at(10))
            .await
            .expect("set");
        assert_eq!(
            store.meeting_load_target(other.ws()).await.expect("read"),
            Some(0.2)
        );
        assert_eq!(
            store
                .urgent_budget(other.ws())
                .await
                .expect("budget")
                .per_week(),
            3
        );
        // Someone of another workspace writes nothing.
        assert!(matches!(
            store
                .set_meeting_load_target(w.ws(), 0.5, other.owner().id, at(20))
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.meeting_load_target(w.ws()).await.expect("read"),
            Some(0.1)
        );
    }
);

store_test!(
    an_open_meeting_past_its_end_is_listed_and_reminded_once,
    |store| async move {
        let w = world(&*store, "acme").await;
        let (m, invitation) = draft_with_invitation(&w, &[w.member.id], 10);
        store
            .create_meeting(w.ws(), m.clone())
            .await
            .expect("create");
        let end = at(10 + 86_400 + 45 * 60);
        // A draft is not waiting to be closed.
        assert!(
            store
                .open_meetings_ended(end, 10)
                .await
                .expect("open")
                .is_empty()
        );
        store
            .invite_meeting(w.ws(), m.id, invitation.clone())
            .await
            .expect("invite");
        assert!(
            store
                .open_meetings_ended(at(10 + 86_400), 10)
                .await
                .expect("open")
                .is_empty()
        );
        let open = store.open_meetings_ended(end, 10).await.expect("open");
        assert_eq!(
            open,
            vec![(w.ws(), m.id, w.owner().id, end, Some(invitation.id))]
        );

        let post = invitation.first_post.id;
        let remind =
            || store.record_close_reminder(w.ws(), m.id, w.owner().id, invitation.id, post, end);
        assert!(remind().await.expect("record"));
        assert!(!remind().await.expect("once"), "once per meeting");
        let other = world(&*store, "other").await;
        assert!(
            !store
                .record_close_reminder(
                    w.ws(),
                    Id::random(),
                    other.owner().id,
                    invitation.id,
                    post,
                    end
                )
                .await
                .expect("not a member"),
        );
        store
            .close_meeting(
                w.ws(),
                m.id,
                new_post(invitation.id, w.owner().id, "Notes", 90_000),
            )
            .await
            .expect("close");
        assert!(
            store
                .open_meetings_ended(end, 10)
                .await
                .expect("open")
                .is_empty()
        );
    }
);
