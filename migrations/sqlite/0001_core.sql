-- Spotlight core schema. Forward-only: never edit this file once shipped; add a new migration.

CREATE TABLE workspaces (
    id                  INTEGER PRIMARY KEY,
    platform            TEXT    NOT NULL,
    external_id         TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    timezone            TEXT    NOT NULL,
    celebration_channel TEXT,
    daily_allowance     INTEGER NOT NULL CHECK (daily_allowance >= 0),
    prompt_time         TEXT    NOT NULL,
    prompts_enabled     INTEGER NOT NULL,
    kudos_emoji         TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE workspace_values (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

CREATE TABLE week_overrides (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    year         INTEGER NOT NULL,
    start_date   TEXT    NOT NULL,
    end_date     TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, year)
) WITHOUT ROWID;

CREATE TABLE workspace_themes (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day          INTEGER NOT NULL CHECK (day BETWEEN 1 AND 5),
    title        TEXT    NOT NULL,
    prompt       TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;

CREATE TABLE departments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL
);
CREATE UNIQUE INDEX departments_name ON departments (workspace_id, name COLLATE NOCASE);

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    external_id   TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    is_bot        INTEGER NOT NULL DEFAULT 0,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX members_name ON members (workspace_id, display_name COLLATE NOCASE);

-- One row per thank-you: a peer kudos or a customer-feedback shout-out.
-- local_date and buckets are computed by the application in the workspace's time zone at the
-- moment of giving; recipient_ids is fanned out into kudos_recipients by a trigger so that the
-- allowance check, the kudos and its recipients are written by one atomic statement.
CREATE TABLE kudos (
    id                  INTEGER PRIMARY KEY,
    workspace_id        INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind                TEXT    NOT NULL CHECK (kind IN ('kudos', 'feedback')),
    giver_id            INTEGER NOT NULL REFERENCES members (id),
    giver_department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    message             TEXT    NOT NULL,
    value_tag           TEXT,
    customer_name       TEXT,
    channel             TEXT,
    event_id            TEXT,
    link                TEXT,
    theme               TEXT,
    created_at          INTEGER NOT NULL,
    local_date          TEXT    NOT NULL,
    buckets             TEXT    NOT NULL,
    recipient_ids       TEXT    NOT NULL,
    recipient_count     INTEGER NOT NULL CHECK (recipient_count BETWEEN 1 AND 10),
    status              TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'undone', 'revoked')),
    status_changed_at   INTEGER,
    revoked_by          INTEGER REFERENCES members (id),
    revoke_reason       TEXT,
    UNIQUE (workspace_id, event_id)
);
CREATE INDEX kudos_giver_day ON kudos (giver_id, local_date);
CREATE INDEX kudos_workspace_time ON kudos (workspace_id, created_at);

CREATE TABLE kudos_recipients (
    kudos_id      INTEGER NOT NULL REFERENCES kudos (id) ON DELETE CASCADE,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    PRIMARY KEY (kudos_id, member_id)
) WITHOUT ROWID;
CREATE INDEX kudos_recipients_member ON kudos_recipients (member_id, kudos_id);

-- Leaderboard aggregates, one row per (workspace, bucket, key). A bucket is a period the
-- application named: 'a' (all time), 'y:2026', 'm:2026-10', 'w:2026-10-05' (week from Monday),
-- 'd:2026-10-05', 'c:2026' (Customer Service Week). Every board is then a top-N index scan.
CREATE TABLE member_stats (
    workspace_id INTEGER NOT NULL,
    bucket       TEXT    NOT NULL,
    member_id    INTEGER NOT NULL,
    received     INTEGER NOT NULL DEFAULT 0,
    given        INTEGER NOT NULL DEFAULT 0,
    feedback     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, bucket, member_id)
) WITHOUT ROWID;
CREATE INDEX member_stats_received ON member_stats (workspace_id, bucket, received DESC);
CREATE INDEX member_stats_given ON member_stats (workspace_id, bucket, given DESC);

CREATE TABLE department_stats (
    workspace_id  INTEGER NOT NULL,
    bucket        TEXT    NOT NULL,
    department_id INTEGER NOT NULL,
    received      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, bucket, department_id)
) WITHOUT ROWID;
CREATE INDEX department_stats_received ON department_stats (workspace_id, bucket, received DESC);

CREATE TABLE value_stats (
    workspace_id INTEGER NOT NULL,
    bucket       TEXT    NOT NULL,
    value_tag    TEXT    NOT NULL,
    count        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, bucket, value_tag)
) WITHOUT ROWID;
CREATE INDEX value_stats_count ON value_stats (workspace_id, bucket, count DESC);

CREATE TABLE pair_stats (
    workspace_id       INTEGER NOT NULL,
    bucket             TEXT    NOT NULL,
    from_department_id INTEGER NOT NULL,
    to_department_id   INTEGER NOT NULL,
    count              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, bucket, from_department_id, to_department_id)
) WITHOUT ROWID;
CREATE INDEX pair_stats_count ON pair_stats (workspace_id, bucket, count DESC);

CREATE TRIGGER kudos_fan_out AFTER INSERT ON kudos
BEGIN
    INSERT INTO kudos_recipients (kudos_id, member_id, department_id)
    SELECT NEW.id, m.id, m.department_id
    FROM json_each(NEW.recipient_ids) AS j
    JOIN members AS m ON m.id = j.value;
END;

-- The boards are folded in batches (see the store's fold_stats), not row by row: keeping two
-- dozen aggregate rows current on every write would make each kudos cost several times a plain
-- insert. folded_upto is the last kudos id counted into the boards of a workspace.
CREATE TABLE stats_watermark (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    folded_upto  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX kudos_workspace ON kudos (workspace_id);

-- Undo and revocation take a thank-you out of every board it was already folded into.
CREATE TRIGGER kudos_uncounted AFTER UPDATE OF status ON kudos
WHEN OLD.status = 'active' AND NEW.status <> 'active'
  AND NEW.id <= (SELECT folded_upto FROM stats_watermark WHERE workspace_id = NEW.workspace_id)
BEGIN
    UPDATE member_stats
    SET received = received - (NEW.kind = 'kudos'), feedback = feedback - (NEW.kind = 'feedback')
    WHERE workspace_id = NEW.workspace_id
      AND bucket IN (SELECT value FROM json_each(NEW.buckets))
      AND member_id IN (SELECT member_id FROM kudos_recipients WHERE kudos_id = NEW.id);

    UPDATE member_stats
    SET given = given - (SELECT COUNT(*) FROM kudos_recipients WHERE kudos_id = NEW.id)
    WHERE NEW.kind = 'kudos'
      AND workspace_id = NEW.workspace_id
      AND bucket IN (SELECT value FROM json_each(NEW.buckets))
      AND member_id = NEW.giver_id;

    UPDATE department_stats
    SET received = received - (SELECT COUNT(*) FROM kudos_recipients AS r
                               WHERE r.kudos_id = NEW.id
                                 AND r.department_id = department_stats.department_id)
    WHERE NEW.kind = 'kudos'
      AND workspace_id = NEW.workspace_id
      AND bucket IN (SELECT value FROM json_each(NEW.buckets))
      AND department_id IN (SELECT department_id FROM kudos_recipients WHERE kudos_id = NEW.id);

    UPDATE value_stats
    SET count = count - (SELECT COUNT(*) FROM kudos_recipients WHERE kudos_id = NEW.id)
    WHERE NEW.kind = 'kudos'
      AND workspace_id = NEW.workspace_id
      AND bucket IN (SELECT value FROM json_each(NEW.buckets))
      AND value_tag = NEW.value_tag;

    UPDATE pair_stats
    SET count = count - (SELECT COUNT(*) FROM kudos_recipients AS r
                         WHERE r.kudos_id = NEW.id
                           AND r.department_id = pair_stats.to_department_id)
    WHERE NEW.kind = 'kudos'
      AND workspace_id = NEW.workspace_id
      AND bucket IN (SELECT value FROM json_each(NEW.buckets))
      AND from_department_id = NEW.giver_department_id
      AND to_department_id IN (SELECT department_id FROM kudos_recipients
                               WHERE kudos_id = NEW.id
                                 AND department_id <> NEW.giver_department_id);
END;
