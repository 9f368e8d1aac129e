-- The week's scheduled posts: per-workspace settings, a ledger of what was sent, and the
-- next-due instant that lets a tick look only at workspaces with something due.

ALTER TABLE workspaces ADD COLUMN next_due_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX workspaces_next_due ON workspaces (platform, next_due_at);

-- An admin's change to one kind of post; kinds without a row use the built-in defaults.
CREATE TABLE post_settings (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    enabled      INTEGER NOT NULL,
    time         TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, kind)
) WITHOUT ROWID;

-- One row per (workspace, post, local date, target): claimed before sending, so a post is
-- never sent twice across restarts, several ticks or a config reload. target is '' for the
-- celebration channel and the member id for a thank-you book.
CREATE TABLE post_ledger (
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    local_date      TEXT    NOT NULL,
    target          TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL CHECK (status IN ('sending', 'delivered', 'retry', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 1,
    next_attempt_at INTEGER,
    last_error      TEXT,
    late            INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, kind, local_date, target)
) WITHOUT ROWID;
