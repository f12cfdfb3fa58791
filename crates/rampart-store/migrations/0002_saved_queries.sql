-- Saved hunting queries. Shared ones are visible to every reader, the others only
-- to their owner (the token or user that saved them). No semicolons in comments:
-- the migrator splits statements on them.
CREATE TABLE saved_queries (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    query TEXT NOT NULL,
    shared BIGINT NOT NULL,
    owner TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX saved_queries_owner ON saved_queries (owner)
