-- The Excellence in Service awards: once a year admins open nominations until a moment they
-- choose, members nominate one colleague per department, admins pick one winner per department
-- and schedule the ceremony post. Forward-only like the others.

-- One round of the awards. Nominations are open while closed_at is NULL and the clock is before
-- closes_at (closing at UNTIL needs no write). `year` is the calendar year whose thank-yous the
-- shortlists weigh. The ceremony's local date keys its posts in post_ledger (kind 'ceremony').
CREATE TABLE award_rounds (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    year           INTEGER NOT NULL,
    opened_by      INTEGER REFERENCES members (id),
    opened_at      INTEGER NOT NULL,
    closes_at      INTEGER NOT NULL,
    closed_at      INTEGER,
    ceremony_at    INTEGER,
    ceremony_date  TEXT,
    celebrated_at  INTEGER
);
CREATE INDEX award_rounds_workspace ON award_rounds (workspace_id, id);

-- A member's nomination: at most one per department per member and round (a new one in the same
-- department replaces it). The department is the nominee's at nomination time; NULL is
-- "No department".
CREATE TABLE award_nominations (
    id            INTEGER PRIMARY KEY,
    round_id      INTEGER NOT NULL REFERENCES award_rounds (id) ON DELETE CASCADE,
    nominator_id  INTEGER NOT NULL REFERENCES members (id),
    nominee_id    INTEGER NOT NULL REFERENCES members (id),
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    reason        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    CHECK (nominator_id <> nominee_id)
);
CREATE UNIQUE INDEX award_nominations_one_per_department
    ON award_nominations (round_id, nominator_id, IFNULL(department_id, 0));
CREATE INDEX award_nominations_nominee ON award_nominations (round_id, nominee_id);

-- The winner an admin picked (or accepted) for each department of a round.
CREATE TABLE award_winners (
    round_id      INTEGER NOT NULL REFERENCES award_rounds (id) ON DELETE CASCADE,
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    member_id     INTEGER NOT NULL REFERENCES members (id),
    picked_by     INTEGER REFERENCES members (id),
    picked_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX award_winners_one_per_department
    ON award_winners (round_id, IFNULL(department_id, 0));
