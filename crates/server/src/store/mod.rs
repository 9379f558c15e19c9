//! Flows, sessions, captures, reviews, widget events, the webhook outbox and the audit
//! log, in SQL through `sqlx::Any`: one set of queries serves the embedded SQLite and
//! PostgreSQL (both accept `$n` placeholders and `RETURNING`; columns use portable
//! types: TEXT, BIGINT times in Unix milliseconds, BIGINT 0/1 booleans). Each dialect
//! owns its migrations (`migrations/sqlite`, `migrations/postgres`, embedded with
//! `sqlx::migrate!`), which is where the two differ (audit triggers, auto-increment).
//!
//! Why not a trait with two implementations: the SQL text is identical, so a second
//! implementation would be a copy; the seam that matters for tests is the real database.

mod blobs;

pub use blobs::Blobs;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use flow_protocol::{
    CaptureId, FlowConfig, Review, ReviewKind, SessionId, Status, StepId, Technology,
};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row};

use crate::clock::{rfc3339, Millis};
use crate::error::{Error, Result};

/// Which database is behind the pool (migrations and transaction start differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
}

/// A flow as stored; the API key only as its hash.
#[derive(Debug, Clone)]
pub struct FlowRow {
    pub id: String,
    pub api_key_hash: String,
    pub technologies: Vec<Technology>,
    pub config: FlowConfig,
    pub created_at: Millis,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: SessionId,
    pub flow_id: String,
    pub status: Status,
    pub locale: Option<String>,
    pub vendor_data: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub expires_at: Millis,
    pub finished_at: Option<Millis>,
    /// FINISHED or FAILED as decided by `finish` (or expiry); kept through review.
    pub finish_status: Option<Status>,
    pub overall_result: Option<bool>,
    /// The evaluation (JSON, see `domain::evaluate::Evaluation`).
    pub evaluation: Option<String>,
    pub purged_at: Option<Millis>,
}

#[derive(Debug, Clone)]
pub struct CaptureRow {
    pub session_id: SessionId,
    pub capture_id: CaptureId,
    pub seq: i64,
    pub step: StepId,
    /// Hex SHA-256 of the bytes as uploaded.
    pub sha256: String,
    /// The stored, re-encoded copy; `None` once retention removed it.
    pub object_key: Option<String>,
    pub accepted: bool,
    pub retake_reason: Option<String>,
    pub source: Option<String>,
    /// JSON array of the client's MRZ lines.
    pub client_mrz: Option<String>,
    /// JSON of the server's analysis (`domain::capture::CaptureAnalysis`).
    pub analysis: Option<String>,
    pub created_at: Millis,
}

/// One audit line: ids, statuses, actor, action and reason codes only.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: Millis,
    pub flow_id: String,
    pub session_id: Option<SessionId>,
    pub actor: &'static str,
    pub action: &'static str,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
}

impl AuditEntry {
    pub fn new(
        at: Millis,
        flow_id: &str,
        session: SessionId,
        actor: &'static str,
        action: &'static str,
    ) -> Self {
        Self {
            at,
            flow_id: flow_id.to_owned(),
            session_id: Some(session),
            actor,
            action,
            from_status: None,
            to_status: None,
            reason: None,
        }
    }

    /// A status move.
    pub fn moved(mut self, from: Status, to: Status) -> Self {
        self.from_status = Some(from);
        self.to_status = Some(to);
        self
    }

    /// Reason codes (never free text with personal data).
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: String,
    pub flow_id: String,
    pub session_id: String,
    pub payload: String,
    pub created_at: Millis,
    pub next_attempt_at: Millis,
    pub attempts: i64,
}

const SESSION_COLUMNS: &str = "id, flow_id, status, locale, vendor_data, created_at, updated_at, \
     expires_at, finished_at, finish_status, overall_result, evaluation, purged_at";

const CAPTURE_COLUMNS: &str = "session_id, capture_id, seq, step, sha256, object_key, accepted, \
     retake_reason, source, client_mrz, analysis, created_at";

/// SQL text assembled from constant pieces (column lists), never from input.
macro_rules! sql {
    ($($part:expr),+ $(,)?) => {
        sqlx::AssertSqlSafe([$($part),+].concat())
    };
}

impl Store {
    /// Opens (creating if needed) the database and applies the migrations.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Store> {
        sqlx::any::install_default_drivers();
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Ok(Store {
                    pool,
                    dialect: Dialect::Postgres,
                })
            }
            Some(url) if url.starts_with("sqlite:") => Self::open_sqlite(url).await,
            Some(other) => Err(Error::InvalidConfig(format!(
                "DATABASE_URL must be postgres://… or sqlite:…, not {:?}",
                other.split(':').next().unwrap_or_default()
            ))),
            None => {
                crate::config::private_dir(data_dir)?;
                let path = data_dir.join("flow-server.db");
                let url = format!("sqlite://{}?mode=rwc", path.display());
                Self::open_sqlite(&url).await
            }
        }
    }

    async fn open_sqlite(url: &str) -> Result<Store> {
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL: readers never wait for the writer; the busy timeout makes a
                    // second writer wait instead of failing at once.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store {
            pool,
            dialect: Dialect::Sqlite,
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// A write transaction. SQLite's starts `IMMEDIATE`, taking the write lock up
    /// front, so that two writers queue on the busy timeout instead of one failing on
    /// a read-to-write upgrade; PostgreSQL's serialise on the session row instead
    /// (`Tx::lock_session`).
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(Tx { tx })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ----- flows

    pub async fn insert_flow(&self, flow: &FlowRow) -> Result<()> {
        let technologies = serde_json::to_string(&flow.technologies)?;
        let config = serde_json::to_string(&flow.config)?;
        sqlx::query(
            "INSERT INTO flows (id, api_key_hash, technologies, config, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&flow.id)
        .bind(&flow.api_key_hash)
        .bind(technologies)
        .bind(config)
        .bind(flow.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn flow_by_key_hash(&self, hash: &str) -> Result<Option<FlowRow>> {
        let row = sqlx::query(
            "SELECT id, api_key_hash, technologies, config, created_at FROM flows \
             WHERE api_key_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    pub async fn flow(&self, id: &str) -> Result<Option<FlowRow>> {
        let row = sqlx::query(
            "SELECT id, api_key_hash, technologies, config, created_at FROM flows WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(flow_from_row).transpose()
    }

    pub async fn flows(&self) -> Result<Vec<FlowRow>> {
        let rows = sqlx::query(
            "SELECT id, api_key_hash, technologies, config, created_at FROM flows ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(flow_from_row).collect()
    }

    // ----- sessions and what hangs off them (reads outside a transaction)

    pub async fn session(&self, id: &SessionId) -> Result<Option<SessionRow>> {
        fetch_session(&self.pool, id).await
    }

    pub async fn captures(&self, id: &SessionId) -> Result<Vec<CaptureRow>> {
        fetch_captures(&self.pool, id).await
    }

    pub async fn capture(
        &self,
        session: &SessionId,
        capture: &CaptureId,
    ) -> Result<Option<CaptureRow>> {
        fetch_capture(&self.pool, session, capture).await
    }

    /// Open sessions whose lifetime has passed.
    pub async fn sessions_past_expiry(&self, now: Millis, limit: i64) -> Result<Vec<SessionId>> {
        let rows = sqlx::query(
            "SELECT id FROM sessions WHERE status IN ('CREATED', 'QR', 'PROGRESS') \
             AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_col(r, "id")).collect()
    }

    /// Closed, not yet purged sessions of a flow that closed before `cutoff`.
    pub async fn sessions_past_retention(
        &self,
        flow_id: &str,
        cutoff: Millis,
        limit: i64,
    ) -> Result<Vec<SessionId>> {
        let rows = sqlx::query(
            "SELECT id FROM sessions WHERE flow_id = $1 AND purged_at IS NULL \
             AND finished_at IS NOT NULL AND finished_at <= $2 ORDER BY finished_at LIMIT $3",
        )
        .bind(flow_id)
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| parse_col(r, "id")).collect()
    }

    pub async fn reviews(&self, id: &SessionId) -> Result<Vec<Review>> {
        let rows = sqlx::query(
            "SELECT id, kind, text, status, created_at FROM reviews WHERE session_id = $1 \
             ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(review_from_row).collect()
    }

    pub async fn audit_of(&self, id: &SessionId) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT seq, actor, action, from_status, to_status, reason FROM audit_log \
             WHERE session_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    seq: r.try_get("seq")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    from_status: r.try_get("from_status")?,
                    to_status: r.try_get("to_status")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    pub async fn widget_event_count(&self, id: &SessionId) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM widget_events WHERE session_id = $1")
            .bind(id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    // ----- webhook outbox

    pub async fn due_messages(&self, now: Millis, limit: i64) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT id, flow_id, session_id, payload, created_at, next_attempt_at, attempts \
             FROM webhook_outbox WHERE delivered_at IS NULL AND failed_at IS NULL \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_from_row).collect()
    }

    /// The earliest time a pending message is due, to sleep until then.
    pub async fn next_message_due(&self) -> Result<Option<Millis>> {
        let row = sqlx::query(
            "SELECT MIN(next_attempt_at) AS due FROM webhook_outbox \
             WHERE delivered_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("due")?)
    }

    /// Takes a message for one delivery attempt by pushing its due time past the
    /// attempt (a lease): another worker (another process on the same PostgreSQL)
    /// skips it, and a worker that dies mid-attempt leaves it due again later.
    pub async fn claim_message(&self, msg: &OutboxRow, lease_until: Millis) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE webhook_outbox SET next_attempt_at = $1 WHERE id = $2 \
             AND next_attempt_at = $3 AND delivered_at IS NULL AND failed_at IS NULL",
        )
        .bind(lease_until)
        .bind(&msg.id)
        .bind(msg.next_attempt_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn message_delivered(&self, id: &str, attempts: i64, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_outbox SET delivered_at = $1, attempts = $2, last_error = NULL \
             WHERE id = $3",
        )
        .bind(now)
        .bind(attempts)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn message_retry(
        &self,
        id: &str,
        attempts: i64,
        next: Millis,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 \
             WHERE id = $4",
        )
        .bind(attempts)
        .bind(next)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn message_failed(
        &self,
        id: &str,
        attempts: i64,
        now: Millis,
        error: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_outbox SET attempts = $1, failed_at = $2, last_error = $3 \
             WHERE id = $4",
        )
        .bind(attempts)
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages of a session (ops and tests): `(id, payload, delivered, attempts)`.
    pub async fn messages_of(&self, id: &SessionId) -> Result<Vec<(String, String, bool, i64)>> {
        let rows = sqlx::query(
            "SELECT id, payload, delivered_at, attempts FROM webhook_outbox \
             WHERE session_id = $1 ORDER BY created_at, id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let delivered: Option<i64> = r.try_get("delivered_at")?;
                Ok((
                    r.try_get("id")?,
                    r.try_get("payload")?,
                    delivered.is_some(),
                    r.try_get("attempts")?,
                ))
            })
            .collect()
    }

    /// Runs raw SQL (tests: proving the audit log refuses changes).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// A write transaction; dropped without `commit`, it rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, flow_id, status, locale, vendor_data, created_at, \
             updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.id.to_string())
        .bind(&s.flow_id)
        .bind(s.status.as_str())
        .bind(s.locale.as_deref())
        .bind(s.vendor_data.as_deref())
        .bind(s.created_at)
        .bind(s.updated_at)
        .bind(s.expires_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Reads the session and takes its row lock for the rest of the transaction (a
    /// no-op write: PostgreSQL locks the row, SQLite already holds the write lock).
    pub async fn lock_session(&mut self, id: &SessionId) -> Result<Option<SessionRow>> {
        let row = sqlx::query(sql!(
            "UPDATE sessions SET version = version + 1 WHERE id = $1 RETURNING ",
            SESSION_COLUMNS
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.tx)
        .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// Moves `from` → `to` if the session is still in `from`; false if it moved meanwhile.
    pub async fn set_status(
        &mut self,
        id: &SessionId,
        from: Status,
        to: Status,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the session changed (a new capture).
    pub async fn touch_session(&mut self, id: &SessionId, now: Millis) -> Result<()> {
        sqlx::query("UPDATE sessions SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Closes an open session with its evaluation (finish or expiry).
    pub async fn close_session(
        &mut self,
        id: &SessionId,
        from: Status,
        to: Status,
        overall_result: Option<bool>,
        evaluation: &str,
        now: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET status = $1, finish_status = $1, finished_at = $2, \
             updated_at = $2, overall_result = $3, evaluation = $4 \
             WHERE id = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(now)
        .bind(overall_result.map(i64::from))
        .bind(evaluation)
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn captures(&mut self, id: &SessionId) -> Result<Vec<CaptureRow>> {
        fetch_captures(&mut *self.tx, id).await
    }

    pub async fn capture(
        &mut self,
        session: &SessionId,
        capture: &CaptureId,
    ) -> Result<Option<CaptureRow>> {
        fetch_capture(&mut *self.tx, session, capture).await
    }

    pub async fn insert_capture(&mut self, c: &CaptureRow) -> Result<()> {
        sqlx::query(sql!(
            "INSERT INTO captures (",
            CAPTURE_COLUMNS,
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(c.session_id.to_string())
        .bind(c.capture_id.to_string())
        .bind(c.seq)
        .bind(c.step.as_str())
        .bind(&c.sha256)
        .bind(c.object_key.as_deref())
        .bind(i64::from(c.accepted))
        .bind(c.retake_reason.as_deref())
        .bind(c.source.as_deref())
        .bind(c.client_mrz.as_deref())
        .bind(c.analysis.as_deref())
        .bind(c.created_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn insert_review(
        &mut self,
        session: &SessionId,
        review: &Review,
        at: Millis,
    ) -> Result<()> {
        let kind = match review.kind {
            ReviewKind::Message => "MESSAGE",
            ReviewKind::Status => "STATUS",
        };
        sqlx::query(
            "INSERT INTO reviews (id, session_id, seq, kind, text, status, created_at) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews \
             WHERE session_id = $2), $3, $4, $5, $6)",
        )
        .bind(&review.id)
        .bind(session.to_string())
        .bind(kind)
        .bind(&review.text)
        .bind(review.status.map(Status::as_str))
        .bind(at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn insert_widget_event(
        &mut self,
        session: &SessionId,
        kind: &str,
        step: Option<&str>,
        client_at: &str,
        data: Option<&str>,
        now: Millis,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO widget_events (session_id, type, step, client_at, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(session.to_string())
        .bind(kind)
        .bind(step)
        .bind(client_at)
        .bind(data)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn enqueue_message(&mut self, msg: &OutboxRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_outbox (id, flow_id, session_id, payload, created_at, \
             next_attempt_at, attempts) VALUES ($1, $2, $3, $4, $5, $6, 0)",
        )
        .bind(&msg.id)
        .bind(&msg.flow_id)
        .bind(&msg.session_id)
        .bind(&msg.payload)
        .bind(msg.created_at)
        .bind(msg.next_attempt_at)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn audit(&mut self, entry: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (at, flow_id, session_id, actor, action, from_status, \
             to_status, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.at)
        .bind(&entry.flow_id)
        .bind(entry.session_id.map(|s| s.to_string()))
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.from_status.map(Status::as_str))
        .bind(entry.to_status.map(Status::as_str))
        .bind(entry.reason.as_deref())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Removes a session's personal data (retention): vendor data, the evaluation's
    /// document fields (the caller passes the scrubbed evaluation), client reads,
    /// analyses, capture links, reviews and widget events. Ids, statuses, results and
    /// the audit log stay.
    pub async fn purge_session(
        &mut self,
        id: &SessionId,
        scrubbed_evaluation: Option<&str>,
        now: Millis,
    ) -> Result<()> {
        let sid = id.to_string();
        sqlx::query(
            "UPDATE sessions SET vendor_data = NULL, evaluation = $1, purged_at = $2 \
             WHERE id = $3",
        )
        .bind(scrubbed_evaluation)
        .bind(now)
        .bind(&sid)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "UPDATE captures SET object_key = NULL, client_mrz = NULL, analysis = NULL \
             WHERE session_id = $1",
        )
        .bind(&sid)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("DELETE FROM reviews WHERE session_id = $1")
            .bind(&sid)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM widget_events WHERE session_id = $1")
            .bind(&sid)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

async fn fetch_session<'e, E>(executor: E, id: &SessionId) -> Result<Option<SessionRow>>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(sql!(
        "SELECT ",
        SESSION_COLUMNS,
        " FROM sessions WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(session_from_row).transpose()
}

async fn fetch_captures<'e, E>(executor: E, id: &SessionId) -> Result<Vec<CaptureRow>>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(sql!(
        "SELECT ",
        CAPTURE_COLUMNS,
        " FROM captures WHERE session_id = $1 ORDER BY seq"
    ))
    .bind(id.to_string())
    .fetch_all(executor)
    .await?;
    rows.iter().map(capture_from_row).collect()
}

async fn fetch_capture<'e, E>(
    executor: E,
    session: &SessionId,
    capture: &CaptureId,
) -> Result<Option<CaptureRow>>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(sql!(
        "SELECT ",
        CAPTURE_COLUMNS,
        " FROM captures WHERE session_id = $1 AND capture_id = $2"
    ))
    .bind(session.to_string())
    .bind(capture.to_string())
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(capture_from_row).transpose()
}

/// A column holding one of our codes or ids, parsed; a bad value is a corrupt row.
fn parse_col<T>(row: &AnyRow, column: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|e| Error::Internal(format!("column {column}: {e}")))
}

fn parse_opt_col<T>(row: &AnyRow, column: &str) -> Result<Option<T>>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| {
        t.parse()
            .map_err(|e| Error::Internal(format!("column {column}: {e}")))
    })
    .transpose()
}

fn flow_from_row(row: &AnyRow) -> Result<FlowRow> {
    let technologies: String = row.try_get("technologies")?;
    let config: String = row.try_get("config")?;
    Ok(FlowRow {
        id: row.try_get("id")?,
        api_key_hash: row.try_get("api_key_hash")?,
        technologies: serde_json::from_str(&technologies)?,
        config: serde_json::from_str(&config)?,
        created_at: row.try_get("created_at")?,
    })
}

fn session_from_row(row: &AnyRow) -> Result<SessionRow> {
    let overall: Option<i64> = row.try_get("overall_result")?;
    Ok(SessionRow {
        id: parse_col(row, "id")?,
        flow_id: row.try_get("flow_id")?,
        status: parse_col(row, "status")?,
        locale: row.try_get("locale")?,
        vendor_data: row.try_get("vendor_data")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        expires_at: row.try_get("expires_at")?,
        finished_at: row.try_get("finished_at")?,
        finish_status: parse_opt_col(row, "finish_status")?,
        overall_result: overall.map(|v| v != 0),
        evaluation: row.try_get("evaluation")?,
        purged_at: row.try_get("purged_at")?,
    })
}

fn capture_from_row(row: &AnyRow) -> Result<CaptureRow> {
    let accepted: i64 = row.try_get("accepted")?;
    Ok(CaptureRow {
        session_id: parse_col(row, "session_id")?,
        capture_id: parse_col(row, "capture_id")?,
        seq: row.try_get("seq")?,
        step: parse_col(row, "step")?,
        sha256: row.try_get("sha256")?,
        object_key: row.try_get("object_key")?,
        accepted: accepted != 0,
        retake_reason: row.try_get("retake_reason")?,
        source: row.try_get("source")?,
        client_mrz: row.try_get("client_mrz")?,
        analysis: row.try_get("analysis")?,
        created_at: row.try_get("created_at")?,
    })
}

fn review_from_row(row: &AnyRow) -> Result<Review> {
    let kind: String = row.try_get("kind")?;
    let created_at: i64 = row.try_get("created_at")?;
    Ok(Review {
        id: row.try_get("id")?,
        kind: if kind == "STATUS" {
            ReviewKind::Status
        } else {
            ReviewKind::Message
        },
        text: row.try_get("text")?,
        status: parse_opt_col(row, "status")?,
        created_at: rfc3339(created_at),
    })
}

fn outbox_from_row(row: &AnyRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: row.try_get("id")?,
        flow_id: row.try_get("flow_id")?,
        session_id: row.try_get("session_id")?,
        payload: row.try_get("payload")?,
        created_at: row.try_get("created_at")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        attempts: row.try_get("attempts")?,
    })
}
