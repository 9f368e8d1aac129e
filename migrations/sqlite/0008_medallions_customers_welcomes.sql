-- The year-round recognition: service medallions, thank-you notes to customers, and the
-- one-time welcome. Forward-only like the others.

-- Medallions each member may give per calendar year (in the workspace's zone), 0 to 3; and
-- whether newcomers get the short private welcome.
ALTER TABLE workspaces ADD COLUMN medallions_per_year INTEGER NOT NULL DEFAULT 1
    CHECK (medallions_per_year BETWEEN 0 AND 3);
ALTER TABLE workspaces ADD COLUMN welcome_enabled INTEGER NOT NULL DEFAULT 1;

-- A service medallion: one giver, one recipient, a message. `year` is the calendar year of
-- local_date; an undone medallion no longer counts against its giver's year (a revoked one
-- would, as revoked kudos still count against the allowance).
CREATE TABLE medallions (
    id                  INTEGER PRIMARY KEY,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    giver_id            INTEGER NOT NULL REFERENCES members (id),
    recipient_id        INTEGER NOT NULL REFERENCES members (id),
    giver_department_id     INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    recipient_department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    message             TEXT    NOT NULL,
    channel             TEXT,
    event_id            TEXT,
    created_at          INTEGER NOT NULL,
    local_date          TEXT    NOT NULL,
    year                INTEGER NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'undone', 'revoked')),
    status_changed_at   INTEGER,
    CHECK (giver_id <> recipient_id),
    UNIQUE (workspace_id, event_id)
);
CREATE INDEX medallions_giver_year ON medallions (giver_id, year);
CREATE INDEX medallions_workspace_date ON medallions (workspace_id, local_date);
CREATE INDEX medallions_recipient ON medallions (recipient_id);

-- "I wrote a thank-you note to a customer": no names needed, never announced.
CREATE TABLE customer_thanks (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL REFERENCES members (id),
    note         TEXT,
    event_id     TEXT,
    created_at   INTEGER NOT NULL,
    local_date   TEXT    NOT NULL,
    UNIQUE (workspace_id, event_id)
);
CREATE INDEX customer_thanks_workspace_date ON customer_thanks (workspace_id, local_date);
CREATE INDEX customer_thanks_member ON customer_thanks (member_id, local_date);

-- Who has had the one-time welcome, by the platform's user id (a Slack newcomer may be welcomed
-- before they are a member on record).
CREATE TABLE welcomes (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id  TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, external_id)
) WITHOUT ROWID;

-- Everyone already here has used Spotlight or been thanked: they are not newcomers.
INSERT INTO welcomes (workspace_id, external_id, reason, created_at)
SELECT workspace_id, external_id, 'existing', created_at FROM members;
