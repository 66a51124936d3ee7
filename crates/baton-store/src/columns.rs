//! The column lists both backends select each record with, written once.
//!
//! Owns: which columns make a record, and their order. SQLite's row mappings read them by
//! position, PostgreSQL's by name, so a list changes together with both mappings, and the
//! conformance suite catches a mapping left behind. Macros rather than constants, so queries
//! stay `&'static str` built with `concat!`. Each list is for a query over its table under the
//! alias its columns carry (`members m`, `batons b`, …) or, where they carry none, over the
//! table itself.

/// Columns of a member, for a query over `members m`.
macro_rules! member_cols {
    () => {
        "m.id, m.workspace_id, m.email, m.name, m.timezone, m.role, m.active, m.created_at, m.seq"
    };
}
/// Columns of a space, for a query over `spaces s`.
macro_rules! space_cols {
    () => {
        "s.id, s.name, s.visibility, s.created_by, s.created_at, s.seq"
    };
}
/// Columns of a thread, for a query over `threads t`.
macro_rules! thread_cols {
    () => {
        "t.id, t.space_id, t.title, t.author_id, t.expectation, t.created_at, t.last_post_at, \
         t.last_post_seq, t.post_count, t.seq"
    };
}
/// Columns of a post, for a query over `posts p`.
macro_rules! post_cols {
    () => {
        "p.id, p.thread_id, p.author_id, p.body, p.html, p.expectation, p.created_at, \
         p.edited_at, p.seq"
    };
}
/// Columns of an ask, for a query over `asks a`.
macro_rules! ask_cols {
    () => {
        "a.id, a.thread_id, a.post_id, a.from_id, a.to_id, a.due_at, a.created_at, a.answered_at"
    };
}
/// Columns of a baton, for a query over `batons b`.
macro_rules! baton_cols {
    () => {
        "b.id, b.title, b.description, b.relay_id, b.holder_id, b.status, b.created_by, \
         b.created_at, b.seq"
    };
}
/// Columns of a handoff, for a query over `handoffs h`.
macro_rules! handoff_cols {
    () => {
        "h.id, h.baton_id, h.from_id, h.to_id, h.state, h.next_step, h.blockers, h.links, \
         h.created_at, h.delivers_at, h.status, h.resolved_at, h.bounce_reason"
    };
}
/// Columns of a workspace, for a query over `workspaces`.
macro_rules! workspace_cols {
    () => {
        "id, name, created_at"
    };
}
/// Columns of an API token's public part, for a query over `api_tokens`.
macro_rules! token_cols {
    () => {
        "id, member_id, label, created_at"
    };
}
/// Columns of a post's earlier revision, for a query over `post_revisions`.
macro_rules! revision_cols {
    () => {
        "body, html, replaced_at"
    };
}
/// Columns of an audit entry, for a query over `audit_log`.
macro_rules! audit_cols {
    () => {
        "id, actor_id, action, thread_id, post_id, legs, at, seq, subject_id, token_id, detail"
    };
}
/// Columns of a webhook, for a query over `webhooks w`.
macro_rules! webhook_cols {
    () => {
        "w.workspace_id, w.id, w.member_id, w.space_id, w.url, w.created_by, w.created_at"
    };
}

pub(crate) use {
    ask_cols, audit_cols, baton_cols, handoff_cols, member_cols, post_cols, revision_cols,
    space_cols, thread_cols, token_cols, webhook_cols, workspace_cols,
};
