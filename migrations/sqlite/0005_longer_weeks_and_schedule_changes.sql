-- A week an admin stretches to six or seven days has a theme for each day.
CREATE TABLE workspace_themes_new (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day          INTEGER NOT NULL CHECK (day BETWEEN 1 AND 7),
    title        TEXT    NOT NULL,
    prompt       TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;
INSERT INTO workspace_themes_new SELECT workspace_id, day, title, prompt, action FROM workspace_themes;
DROP TABLE workspace_themes;
ALTER TABLE workspace_themes_new RENAME TO workspace_themes;

-- When each kind of post last had its time moved (by its own setting, the time zone, the week or
-- the master switch). A post such a change moved into the past goes out with a note saying so,
-- not one claiming the bot was away.
CREATE TABLE schedule_changes (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    changed_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, kind)
) WITHOUT ROWID;
