-- Workspaces that installed Spotlight through Slack's OAuth flow. The bot token is stored
-- encrypted (XChaCha20-Poly1305, key from SPOTLIGHT_SECRET_KEY); uninstalling deletes the row and
-- leaves the workspace's kudos in place.
CREATE TABLE slack_installs (
    team_id      TEXT    PRIMARY KEY,
    team_name    TEXT    NOT NULL,
    bot_user_id  TEXT,
    scopes       TEXT    NOT NULL,
    token_nonce  BLOB    NOT NULL,
    token_sealed BLOB    NOT NULL,
    installed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One-time `state` values of install links, so a callback answers only a flow this app started.
CREATE TABLE oauth_states (
    state      TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
