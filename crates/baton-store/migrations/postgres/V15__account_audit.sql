-- The audit log also records acts on accounts: API tokens created and revoked, role changes,
-- deactivations and the owner handing over the workspace. Such an entry names the member it
-- concerns (`subject_id`), the token when there is one, and a short `detail` (e.g. the roles
-- before and after).

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN ('urgent.sent',
    'urgent.over_budget', 'token.created', 'token.revoked', 'member.role_changed',
    'member.deactivated', 'workspace.ownership_transferred'));
ALTER TABLE audit_log ADD COLUMN subject_id TEXT REFERENCES members(id);
ALTER TABLE audit_log ADD COLUMN token_id TEXT REFERENCES api_tokens(id);
ALTER TABLE audit_log ADD COLUMN detail TEXT;
