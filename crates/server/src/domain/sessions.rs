//! Sessions: creation, the status machine, expiry, bootstrap, finish, reviews.
//!
//! Every status change happens in one transaction with its audit line and its webhook
//! messages (the outbox), and only along `transition_allowed`.

use flow_protocol::{
    Bootstrap, CreateSessionResponse, FinishResponse, Limits, Review, ReviewKind, ReviewList,
    SessionId, SessionStatusResponse, Status, StepId, TechnologyInfo, WebhookEventType,
    WidgetEvent,
};
use uuid::Uuid;

use super::capture::{step_outcome, CaptureAnalysis, StepOutcome};
use super::evaluate::{self, Accepted, Evaluation, Outcome};
use super::steps;
use super::webhooks;
use crate::clock::{rfc3339, utc_date, Millis, MINUTE};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{AuditEntry, CaptureRow, FlowRow, SessionRow, Tx};

/// Who caused an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The integrator's backend (flow key).
    Host,
    /// The end user's browser (session id).
    Widget,
    /// The server itself (expiry, retention).
    System,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Host => "host",
            Actor::Widget => "widget",
            Actor::System => "system",
        }
    }
}

/// The spec's transition table; nothing else moves a session.
pub fn transition_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    matches!(
        (from, to),
        (Created, Progress)
            | (Progress, Finished | Failed)
            | (Created, Failed)
            | (Finished | Failed, InReview)
            | (Finished | Failed | InReview, Approved | Declined)
    )
}

/// `POST /api/v1/flows/session/create/`, after the key check.
pub async fn create(
    state: &AppState,
    flow: &FlowRow,
    vendor_data: Option<String>,
    locale: Option<String>,
) -> Result<CreateSessionResponse> {
    if let Some(data) = &vendor_data {
        if data.chars().count() > 256 {
            return Err(Error::InvalidRequest(
                "vendor_data is longer than 256 characters".to_owned(),
            ));
        }
    }
    if let Some(code) = &locale {
        if !valid_locale(code) {
            return Err(Error::InvalidRequest(
                "locale must be a language code such as en, kz or pt-BR".to_owned(),
            ));
        }
    }
    let now = state.clock.now();
    let id = SessionId::from_uuid(Uuid::new_v4()).map_err(Error::internal)?;
    let lifetime = i64::from(flow.config.session_lifetime_minutes) * MINUTE;
    let row = SessionRow {
        id,
        flow_id: flow.id.clone(),
        status: Status::Created,
        locale,
        vendor_data,
        created_at: now,
        updated_at: now,
        expires_at: now + lifetime,
        finished_at: None,
        finish_status: None,
        overall_result: None,
        evaluation: None,
        purged_at: None,
    };
    let mut tx = state.store.begin().await?;
    tx.insert_session(&row).await?;
    tx.audit(&AuditEntry::new(
        now,
        &flow.id,
        id,
        Actor::Host.as_str(),
        "session.created",
    ))
    .await?;
    tx.commit().await?;
    Ok(CreateSessionResponse {
        session_id: id,
        flow_id: flow.id.clone(),
        status: Status::Created,
        technologies: flow
            .technologies
            .iter()
            .copied()
            .map(TechnologyInfo::from)
            .collect(),
        expires_at: rfc3339(row.expires_at),
    })
}

/// BCP 47-ish: a 2–3 letter language, then optional subtags (`pt-BR`, `zh-Hant`).
fn valid_locale(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    code.len() <= 35
        && lang_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A host call's session: `400` for a missing or malformed id, `404` for an unknown id
/// or one of another flow (indistinguishable on purpose). Expiry is applied first.
pub async fn load_for_host(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
) -> Result<SessionRow> {
    let raw = session_id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::InvalidRequest("session_id is required".to_owned()))?;
    let id: SessionId = raw
        .parse()
        .map_err(|e| Error::InvalidRequest(format!("session_id: {e}")))?;
    let row = state
        .store
        .session(&id)
        .await?
        .filter(|s| s.flow_id == flow.id)
        .ok_or(Error::SessionNotFound)?;
    expire_if_due(state, flow, row).await
}

/// A widget call's session and flow: `404` unknown, `410` closed (after expiry).
pub async fn load_open_for_widget(
    state: &AppState,
    session_id: &str,
) -> Result<(SessionRow, FlowRow)> {
    let (row, flow) = load_for_widget(state, session_id).await?;
    if !row.status.is_open() {
        return Err(Error::SessionClosed(row.status));
    }
    Ok((row, flow))
}

/// As `load_open_for_widget`, closed sessions included.
pub async fn load_for_widget(state: &AppState, session_id: &str) -> Result<(SessionRow, FlowRow)> {
    let id: SessionId = session_id.parse().map_err(|_| Error::SessionNotFound)?;
    let row = state
        .store
        .session(&id)
        .await?
        .ok_or(Error::SessionNotFound)?;
    let flow = state
        .store
        .flow(&row.flow_id)
        .await?
        .ok_or_else(|| Error::Internal(format!("session {id} has no flow")))?;
    let row = expire_if_due(state, &flow, row).await?;
    Ok((row, flow))
}

/// Lazy expiry: an open session past its lifetime becomes FAILED (`session_expired`)
/// the moment anyone looks at it (the sweeper catches those nobody looks at).
pub async fn expire_if_due(
    state: &AppState,
    flow: &FlowRow,
    row: SessionRow,
) -> Result<SessionRow> {
    let now = state.clock.now();
    if !row.status.is_open() || now < row.expires_at {
        return Ok(row);
    }
    let mut tx = state.store.begin().await?;
    let Some(locked) = tx.lock_session(&row.id).await? else {
        return Err(Error::SessionNotFound);
    };
    if !locked.status.is_open() {
        return Ok(locked);
    }
    let evaluation = evaluate::expired(&flow.technologies);
    close(&mut tx, flow, &locked, &evaluation, Actor::System, now).await?;
    tx.commit().await?;
    state.wake_webhooks();
    state
        .store
        .session(&row.id)
        .await?
        .ok_or(Error::SessionNotFound)
}

/// Writes an evaluation: the status move, its audit line and its webhooks.
async fn close(
    tx: &mut Tx,
    flow: &FlowRow,
    session: &SessionRow,
    evaluation: &Evaluation,
    actor: Actor,
    now: Millis,
) -> Result<()> {
    let to = evaluation.status;
    if !transition_allowed(session.status, to) {
        return Err(Error::InvalidTransition {
            from: session.status,
            to,
        });
    }
    let json = serde_json::to_string(evaluation)?;
    // `null` until FINISHED: a FAILED session was never evaluated to a result.
    let overall = (to == Status::Finished).then_some(evaluation.overall_result);
    if !tx
        .close_session(&session.id, session.status, to, overall, &json, now)
        .await?
    {
        return Err(Error::Internal("session moved during close".to_owned()));
    }
    let reasons: Vec<&str> = evaluation
        .failure_reasons
        .iter()
        .map(|r| r.kind.as_str())
        .collect();
    let action = if actor == Actor::System {
        "session.expired"
    } else {
        "session.finished"
    };
    let mut entry = AuditEntry::new(now, &flow.id, session.id, actor.as_str(), action)
        .moved(session.status, to);
    if !reasons.is_empty() {
        entry = entry.because(reasons.join(","));
    }
    tx.audit(&entry).await?;
    if actor != Actor::System {
        for block in &evaluation.blocks {
            webhooks::enqueue(
                tx,
                flow,
                &session.id,
                WebhookEventType::TechnologyEnd,
                to,
                Some(block.technology),
                now,
            )
            .await?;
        }
    }
    webhooks::enqueue(
        tx,
        flow,
        &session.id,
        WebhookEventType::FlowEnd,
        to,
        None,
        now,
    )
    .await
}

/// CREATED → PROGRESS on the widget's first contact (normally the bootstrap).
pub async fn ensure_progress(
    tx: &mut Tx,
    flow: &FlowRow,
    session: SessionRow,
    now: Millis,
) -> Result<SessionRow> {
    if session.status != Status::Created {
        return Ok(session);
    }
    if !tx
        .set_status(&session.id, Status::Created, Status::Progress, now)
        .await?
    {
        return Err(Error::Internal("session moved during start".to_owned()));
    }
    tx.audit(
        &AuditEntry::new(
            now,
            &flow.id,
            session.id,
            Actor::Widget.as_str(),
            "session.started",
        )
        .moved(Status::Created, Status::Progress),
    )
    .await?;
    webhooks::enqueue(
        tx,
        flow,
        &session.id,
        WebhookEventType::FlowStart,
        Status::Progress,
        None,
        now,
    )
    .await?;
    Ok(SessionRow {
        status: Status::Progress,
        updated_at: now,
        ..session
    })
}

/// `GET /api/v1/widget/sessions/{id}`.
pub async fn bootstrap(state: &AppState, session_id: &str) -> Result<Bootstrap> {
    let (row, flow) = load_open_for_widget(state, session_id).await?;
    let row = if row.status == Status::Created {
        let now = state.clock.now();
        let mut tx = state.store.begin().await?;
        let locked = tx
            .lock_session(&row.id)
            .await?
            .ok_or(Error::SessionNotFound)?;
        if !locked.status.is_open() {
            return Err(Error::SessionClosed(locked.status));
        }
        let row = ensure_progress(&mut tx, &flow, locked, now).await?;
        tx.commit().await?;
        state.wake_webhooks();
        row
    } else {
        row
    };
    Ok(Bootstrap {
        session_id: row.id,
        status: row.status,
        display_name: flow
            .config
            .display_name
            .clone()
            .unwrap_or_else(|| "KYC verification".to_owned()),
        locale: row.locale,
        expires_at: rfc3339(row.expires_at),
        limits: Limits {
            max_capture_bytes: state.config.limits.max_capture_bytes,
            max_attempts: flow.config.max_attempts,
        },
        steps: steps::steps(&flow.technologies),
    })
}

/// `POST …/events`: telemetry, stored with the session (and removed by retention).
pub async fn record_event(state: &AppState, session_id: &str, event: WidgetEvent) -> Result<()> {
    let (row, flow) = load_open_for_widget(state, session_id).await?;
    if let Some(step) = &event.step {
        let known = step
            .parse::<StepId>()
            .is_ok_and(|s| !steps::served_by(s, &flow.technologies).is_empty());
        if !known {
            return Err(Error::UnknownStep(step.chars().take(64).collect()));
        }
    }
    let client_at = match &event.at {
        serde_json::Value::String(s) if s.len() <= 64 => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => {
            return Err(Error::InvalidRequest(
                "at must be an RFC 3339 time or Unix milliseconds".to_owned(),
            ))
        }
    };
    let data = event.data.as_ref().map(serde_json::to_string).transpose()?;
    if data.as_ref().is_some_and(|d| d.len() > 4096) {
        return Err(Error::InvalidRequest("data is larger than 4 kB".to_owned()));
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let locked = tx
        .lock_session(&row.id)
        .await?
        .ok_or(Error::SessionNotFound)?;
    if !locked.status.is_open() {
        return Err(Error::SessionClosed(locked.status));
    }
    ensure_progress(&mut tx, &flow, locked, now).await?;
    tx.insert_widget_event(
        &row.id,
        event.kind.as_str(),
        event.step.as_deref(),
        &client_at,
        data.as_deref(),
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake_webhooks();
    Ok(())
}

/// A step's outcome as evaluation needs it.
fn outcome(step: &StepOutcome<'_>) -> Result<Outcome> {
    Ok(match step {
        StepOutcome::Accepted(capture) => Outcome::Accepted(accepted(capture)?),
        StepOutcome::Failed { attempts, last } => Outcome::AttemptsExceeded {
            attempts: *attempts,
            unverified: Some(accepted(last)?).filter(|c| c.analysis.unverified.is_some()),
        },
        StepOutcome::Pending { .. } => Outcome::Missing,
    })
}

fn accepted(capture: &CaptureRow) -> Result<Accepted> {
    let analysis: CaptureAnalysis =
        serde_json::from_str(capture.analysis.as_deref().unwrap_or("null"))?;
    let client_mrz = capture
        .client_mrz
        .as_deref()
        .map(serde_json::from_str)
        .transpose()?;
    Ok(Accepted {
        capture_id: capture.capture_id.to_string(),
        analysis,
        client_mrz,
    })
}

/// `POST …/finish`: evaluates and closes the session; a repeat answers the same.
pub async fn finish(state: &AppState, session_id: &str) -> Result<FinishResponse> {
    let (row, flow) = load_for_widget(state, session_id).await?;
    if let Some(status) = row.finish_status {
        if !expired_by_lifetime(&row) {
            return Ok(FinishResponse { status });
        }
    }
    if !row.status.is_open() {
        return Err(Error::SessionClosed(row.status));
    }

    state.hooks.pause_point("finish-before-lock").await;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let locked = tx
        .lock_session(&row.id)
        .await?
        .ok_or(Error::SessionNotFound)?;
    if let Some(status) = locked.finish_status {
        // A concurrent finish won; answer as it did.
        return Ok(FinishResponse { status });
    }
    if !locked.status.is_open() {
        return Err(Error::SessionClosed(locked.status));
    }
    // Read under the lock: a capture committed meanwhile is part of the verdict.
    let captures = tx.captures(&row.id).await?;
    let max_attempts = flow.config.max_attempts;
    let mrz = step_outcome(&captures, StepId::MrzSide, max_attempts);
    if let StepOutcome::Pending { attempts } = mrz {
        return Err(Error::UploadsPending(format!(
            "step mrz_side has no accepted capture yet ({attempts} of {max_attempts} attempts used)"
        )));
    }
    let card = match &mrz {
        StepOutcome::Accepted(c) => accepted(c)?
            .analysis
            .format
            .as_deref()
            .is_some_and(steps::is_card),
        _ => false,
    };
    let needs_other = card && flow.technologies.iter().any(|t| t.is_doc_recognition());
    let other = step_outcome(&captures, StepId::OtherSide, max_attempts);
    if needs_other {
        if let StepOutcome::Pending { attempts } = other {
            return Err(Error::UploadsPending(format!(
                "step other_side has no accepted capture yet ({attempts} of {max_attempts} attempts used)"
            )));
        }
    }

    let evaluation = evaluate::evaluate(
        &flow.technologies,
        &flow.config,
        utc_date(now),
        &outcome(&mrz)?,
        &outcome(&other)?,
    );
    let locked = ensure_progress(&mut tx, &flow, locked, now).await?;
    close(&mut tx, &flow, &locked, &evaluation, Actor::Widget, now).await?;
    tx.commit().await?;
    state.wake_webhooks();
    Ok(FinishResponse {
        status: evaluation.status,
    })
}

/// Whether a FAILED session failed by expiry rather than by `finish` (whose repeat is
/// answered; expiry's is not a repeat, so it is `410`).
fn expired_by_lifetime(row: &SessionRow) -> bool {
    row.evaluation
        .as_deref()
        .and_then(|e| serde_json::from_str::<Evaluation>(e).ok())
        .is_some_and(|e| {
            e.failure_reasons
                .iter()
                .any(|r| r.kind == flow_protocol::ReasonType::SessionExpired)
        })
}

/// Moves a closed session along the back-office part of the table.
async fn move_to(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
    to: Status,
    note: Option<String>,
) -> Result<SessionStatusResponse> {
    let row = load_for_host(state, flow, session_id).await?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let locked = tx
        .lock_session(&row.id)
        .await?
        .ok_or(Error::SessionNotFound)?;
    if !transition_allowed(locked.status, to) {
        return Err(Error::InvalidTransition {
            from: locked.status,
            to,
        });
    }
    if !tx.set_status(&locked.id, locked.status, to, now).await? {
        return Err(Error::Internal("session moved during review".to_owned()));
    }
    let action = if to == Status::InReview {
        "review.started"
    } else {
        "review.decided"
    };
    tx.audit(
        &AuditEntry::new(now, &flow.id, locked.id, Actor::Host.as_str(), action)
            .moved(locked.status, to),
    )
    .await?;
    if matches!(to, Status::Approved | Status::Declined) {
        let review = Review {
            id: Uuid::new_v4().to_string(),
            kind: ReviewKind::Status,
            text: note.unwrap_or_default(),
            status: Some(to),
            created_at: rfc3339(now),
        };
        tx.insert_review(&locked.id, &review, now).await?;
        webhooks::enqueue(
            &mut tx,
            flow,
            &locked.id,
            WebhookEventType::FlowEnd,
            to,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    state.wake_webhooks();
    Ok(SessionStatusResponse {
        session_id: locked.id,
        status: to,
    })
}

/// `POST /api/v1/flows/session/review/start/`.
pub async fn start_review(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
) -> Result<SessionStatusResponse> {
    move_to(state, flow, session_id, Status::InReview, None).await
}

/// `POST /api/v1/flows/session/status/`: APPROVED or DECLINED, nothing else.
pub async fn decide(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
    status: &str,
    content: Option<String>,
) -> Result<SessionStatusResponse> {
    let to = match status.parse::<Status>() {
        Ok(to @ (Status::Approved | Status::Declined)) => to,
        _ => return Err(Error::InvalidStatus),
    };
    check_text(content.as_deref().unwrap_or_default(), "content", true)?;
    move_to(state, flow, session_id, to, content).await
}

fn check_text(text: &str, field: &str, may_be_empty: bool) -> Result<()> {
    let n = text.chars().count();
    if (!may_be_empty && text.trim().is_empty()) || n > 10_000 {
        return Err(Error::InvalidRequest(format!(
            "{field} must be 1 to 10000 characters"
        )));
    }
    Ok(())
}

/// `POST /api/v1/flows/session/reviews/`.
pub async fn post_review(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
    text: String,
) -> Result<Review> {
    check_text(&text, "text", false)?;
    let row = load_for_host(state, flow, session_id).await?;
    let now = state.clock.now();
    let review = Review {
        id: Uuid::new_v4().to_string(),
        kind: ReviewKind::Message,
        text,
        status: None,
        created_at: rfc3339(now),
    };
    let mut tx = state.store.begin().await?;
    tx.insert_review(&row.id, &review, now).await?;
    tx.audit(&AuditEntry::new(
        now,
        &flow.id,
        row.id,
        Actor::Host.as_str(),
        "review.message",
    ))
    .await?;
    tx.commit().await?;
    Ok(review)
}

/// `GET /api/v1/flows/session/reviews/`.
pub async fn reviews(
    state: &AppState,
    flow: &FlowRow,
    session_id: Option<&str>,
) -> Result<ReviewList> {
    let row = load_for_host(state, flow, session_id).await?;
    Ok(ReviewList {
        reviews: state.store.reviews(&row.id).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_spec_transitions_are_allowed() {
        use Status::*;
        let allowed: Vec<(Status, Status)> = Status::ALL
            .iter()
            .flat_map(|&f| Status::ALL.iter().map(move |&t| (f, t)))
            .filter(|&(f, t)| transition_allowed(f, t))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Created, Progress),
                (Created, Failed),
                (Progress, Finished),
                (Progress, Failed),
                (Finished, InReview),
                (Finished, Approved),
                (Finished, Declined),
                (Failed, InReview),
                (Failed, Approved),
                (Failed, Declined),
                (InReview, Approved),
                (InReview, Declined),
            ]
        );
    }

    #[test]
    fn locales() {
        for ok in ["en", "kz", "pt-BR", "zh-Hant", "fil"] {
            assert!(valid_locale(ok), "{ok}");
        }
        for bad in ["", "e", "english", "en-", "<script>", "en-x"] {
            assert!(!valid_locale(bad), "{bad}");
        }
    }
}
