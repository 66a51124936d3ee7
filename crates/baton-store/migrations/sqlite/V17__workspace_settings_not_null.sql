-- `workspace_settings.workspace_id` was declared `TEXT PRIMARY KEY` without `NOT NULL`. In
-- PostgreSQL a primary key is never NULL; in SQLite only an INTEGER PRIMARY KEY is, so here a
-- settings row without a workspace could be stored (the schema-parity test found this). SQLite
-- cannot add NOT NULL to a column in place, so the table is built anew and its rows copied over
-- (a row without a workspace, which the store never writes, would not be copied).

CREATE TABLE workspace_settings_new (
    workspace_id  TEXT NOT NULL PRIMARY KEY REFERENCES workspaces(id),
    urgent_budget INTEGER NOT NULL CHECK (urgent_budget >= 0),
    updated_by    TEXT NOT NULL REFERENCES members(id),
    updated_at    INTEGER NOT NULL
);
INSERT INTO workspace_settings_new (workspace_id, urgent_budget, updated_by, updated_at)
    SELECT workspace_id, urgent_budget, updated_by, updated_at FROM workspace_settings
    WHERE workspace_id IS NOT NULL;
DROP TABLE workspace_settings;
ALTER TABLE workspace_settings_new RENAME TO workspace_settings;
