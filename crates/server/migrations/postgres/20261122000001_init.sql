-- The same schema as migrations/sqlite (see there), in PostgreSQL's dialect.

CREATE TABLE flows (
    id            TEXT PRIMARY KEY,
    api_key_hash  TEXT NOT NULL UNIQUE,
    technologies  TEXT NOT NULL,
    config        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    flow_id         TEXT NOT NULL REFERENCES flows (id),
    status          TEXT NOT NULL,
    locale          TEXT,
    vendor_data     TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    finish_status   TEXT,
    overall_result  BIGINT,
    evaluation      TEXT,
    purged_at       BIGINT,
    version         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_by_status_expiry ON sessions (status, expires_at);
CREATE INDEX sessions_by_flow ON sessions (flow_id, finished_at);

CREATE TABLE captures (
    session_id     TEXT NOT NULL REFERENCES sessions (id),
    capture_id     TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    step           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    object_key     TEXT,
    accepted       BIGINT NOT NULL,
    retake_reason  TEXT,
    source         TEXT,
    client_mrz     TEXT,
    analysis       TEXT,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (session_id, capture_id)
);

CREATE TABLE reviews (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    status      TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX reviews_by_session ON reviews (session_id, seq);

CREATE TABLE widget_events (
    id          BIGSERIAL PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id),
    type        TEXT NOT NULL,
    step        TEXT,
    client_at   TEXT,
    data        TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX widget_events_by_session ON widget_events (session_id);

CREATE TABLE webhook_outbox (
    id               TEXT PRIMARY KEY,
    flow_id          TEXT NOT NULL,
    session_id       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    delivered_at     BIGINT,
    failed_at        BIGINT,
    last_error       TEXT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, failed_at, next_attempt_at);

CREATE TABLE audit_log (
    seq          BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    flow_id      TEXT NOT NULL,
    session_id   TEXT,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    reason       TEXT
);
CREATE INDEX audit_log_by_session ON audit_log (session_id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
