-- The wall of thanks: one row per workspace that ever set it up. `token` is the link secret
-- while the wall is on and NULL when an admin turned it off; `show_customers` survives that.
CREATE TABLE walls (
    workspace_id   INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    token          TEXT    UNIQUE,
    show_customers INTEGER NOT NULL DEFAULT 0,
    changed_at     INTEGER NOT NULL
);

-- The key each workspace signs its members' thank-you book links with, made on first use.
CREATE TABLE link_keys (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    key          BLOB    NOT NULL
);
