//! Changes as announcement payloads: a JSON array of [`Change`]s, merged per thread and packed
//! under the feed's size limit (`baton_store::MAX_ANNOUNCEMENT`).

use std::collections::{BTreeMap, BTreeSet};

use baton_core::Id;
use baton_store::MAX_ANNOUNCEMENT;

use super::Change;

/// Most members named by one change in a payload: about 3.9 KB of ids, so even the largest
/// post (a thousand asked members) splits into payloads PostgreSQL accepts.
const MEMBERS_PER_CHANGE: usize = 100;

/// `changes` as few payloads as fit: changes to the same thread become one (their members
/// merged), a workspace-wide change absorbs the rest of its workspace's, long member lists
/// are split, and payloads are filled up to the size limit.
pub fn encode(changes: &[Change]) -> Vec<String> {
    let wide: BTreeSet<Id> = changes
        .iter()
        .filter(|c| c.is_workspace_wide())
        .map(|c| c.workspace)
        .collect();
    let mut merged: BTreeMap<(Id, Option<Id>), BTreeSet<Id>> = BTreeMap::new();
    for change in changes {
        if wide.contains(&change.workspace) {
            // A workspace-wide change already wakes everyone there.
            merged.entry((change.workspace, None)).or_default();
        } else {
            merged
                .entry((change.workspace, change.thread))
                .or_default()
                .extend(change.members.iter().copied());
        }
    }
    let mut payloads = Vec::new();
    let mut current = String::new();
    for ((workspace, thread), members) in merged {
        let members: Vec<Id> = members.into_iter().collect();
        let chunks: Vec<&[Id]> = if members.is_empty() {
            vec![&[]]
        } else {
            members.chunks(MEMBERS_PER_CHANGE).collect()
        };
        for chunk in chunks {
            let change = Change {
                workspace,
                thread,
                members: chunk.to_vec(),
            };
            // Serializing ids and options cannot fail.
            let json = serde_json::to_string(&change).unwrap_or_default();
            // Two bytes for the brackets, one for the comma.
            if !current.is_empty() && current.len() + json.len() + 2 > MAX_ANNOUNCEMENT {
                payloads.push(format!("[{current}]"));
                current.clear();
            }
            if !current.is_empty() {
                current.push(',');
            }
            current.push_str(&json);
        }
    }
    if !current.is_empty() {
        payloads.push(format!("[{current}]"));
    }
    payloads
}

/// The changes in a payload, or `None` when it is not one this version understands.
pub fn decode(payload: &str) -> Option<Vec<Change>> {
    serde_json::from_str(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(ws: Id, thread: Id, members: &[Id]) -> Change {
        Change {
            workspace: ws,
            thread: Some(thread),
            members: members.to_vec(),
        }
    }

    #[test]
    fn changes_to_one_thread_are_announced_once_with_all_their_members() {
        let (ws, thread, other) = (Id::random(), Id::random(), Id::random());
        let (a, b, c) = (Id::random(), Id::random(), Id::random());
        let payloads = encode(&[
            change(ws, thread, &[a, b]),
            change(ws, thread, &[b, c]),
            change(ws, other, &[a]),
        ]);
        assert_eq!(payloads.len(), 1);
        let decoded = decode(&payloads[0]).expect("a payload this version reads");
        assert_eq!(decoded.len(), 2);
        let merged = decoded
            .iter()
            .find(|ch| ch.thread == Some(thread))
            .expect("the merged thread");
        let mut expected = vec![a, b, c];
        expected.sort();
        assert_eq!(merged.members, expected);
    }

    #[test]
    fn a_burst_too_large_for_one_payload_is_split_and_nothing_is_lost() {
        let ws = Id::random();
        let asked: Vec<Id> = (0..1_000).map(|_| Id::random()).collect();
        let threads: Vec<Change> = (0..300)
            .map(|_| change(ws, Id::random(), &[Id::random()]))
            .chain([change(ws, Id::random(), &asked)])
            .collect();
        let payloads = encode(&threads);
        assert!(payloads.len() > 1);
        let mut members = BTreeSet::new();
        for payload in &payloads {
            assert!(payload.len() <= MAX_ANNOUNCEMENT, "{} bytes", payload.len());
            for ch in decode(payload).expect("readable") {
                members.extend(ch.members);
            }
        }
        assert_eq!(members.len(), 1_300);
    }

    #[test]
    fn a_workspace_wide_change_absorbs_the_workspace_s_other_changes() {
        let (ws, other_ws) = (Id::random(), Id::random());
        let payloads = encode(&[
            change(ws, Id::random(), &[Id::random()]),
            Change::of_member(ws, Id::random()),
            Change::of_workspace(ws),
            change(other_ws, Id::random(), &[Id::random()]),
        ]);
        let decoded: Vec<Change> = payloads
            .iter()
            .flat_map(|p| decode(p).expect("readable"))
            .collect();
        let in_ws: Vec<&Change> = decoded.iter().filter(|c| c.workspace == ws).collect();
        assert_eq!(in_ws, vec![&Change::of_workspace(ws)]);
        assert_eq!(
            decoded.iter().filter(|c| c.workspace == other_ws).count(),
            1
        );
    }

    #[test]
    fn a_payload_from_elsewhere_is_not_understood() {
        assert_eq!(decode("hello"), None);
        assert_eq!(decode(r#"[{"x":1}]"#), None);
    }
}
