-- Posts a shutdown interrupted (Discord rate-limited them for longer than the bot had left),
-- kept to be sent once when the bot is back. `body` is the message exactly as it would have
-- been posted (JSON).
CREATE TABLE held_posts (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform     TEXT    NOT NULL,
    what         TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    held_at      INTEGER NOT NULL
);
