-- Posts the bot could not deliver, shown to admins by `status` and with their next command.
CREATE TABLE delivery_failures (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    what         TEXT    NOT NULL,
    channel      TEXT,
    reason       TEXT    NOT NULL,
    permanent    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    seen_at      INTEGER
);
CREATE INDEX delivery_failures_workspace ON delivery_failures (workspace_id, created_at);

-- A platform role whose holders belong to a department (Discord roles, Slack user groups).
CREATE TABLE department_roles (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    role_id       TEXT    NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (workspace_id, role_id)
) WITHOUT ROWID;
