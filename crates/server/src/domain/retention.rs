//! The sweeper: closes sessions whose lifetime passed without anyone looking (lazy
//! expiry covers those that are looked at), and applies each flow's `retention_days`:
//! captures and personal fields go, ids, statuses, verdicts and the audit log stay.

use std::time::Duration;

use flow_protocol::SessionId;
use tokio::sync::watch;

use super::evaluate::Evaluation;
use super::sessions::{self, Actor};
use crate::clock::DAY;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{AuditEntry, FlowRow};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub expired: usize,
    pub purged: usize,
}

pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        match sweep_once(&state).await {
            Ok(sweep) if sweep != Sweep::default() => tracing::info!(?sweep, "swept"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "sweep failed"),
        }
        let wait: Duration = state.config.sweep_interval;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
}

pub async fn sweep_once(state: &AppState) -> Result<Sweep> {
    let mut sweep = Sweep::default();
    loop {
        let due = state
            .store
            .sessions_past_expiry(state.clock.now(), 100)
            .await?;
        if due.is_empty() {
            break;
        }
        for id in &due {
            if let Some(row) = state.store.session(id).await? {
                if let Some(flow) = state.store.flow(&row.flow_id).await? {
                    sessions::expire_if_due(state, &flow, row).await?;
                    sweep.expired += 1;
                }
            }
        }
        if due.len() < 100 {
            break;
        }
    }
    for flow in state.store.flows().await? {
        let days = i64::from(flow.config.retention_days);
        if days == 0 {
            continue;
        }
        let cutoff = state.clock.now() - days * DAY;
        loop {
            let due = state
                .store
                .sessions_past_retention(&flow.id, cutoff, 100)
                .await?;
            for id in &due {
                purge(state, &flow, id).await?;
                sweep.purged += 1;
            }
            if due.len() < 100 {
                break;
            }
        }
    }
    Ok(sweep)
}

/// Deletes the stored images first, then the database fields: a crash in between
/// leaves the session due for purging again, never an image nothing points to.
pub async fn purge(state: &AppState, flow: &FlowRow, id: &SessionId) -> Result<()> {
    for capture in state.store.captures(id).await? {
        if let Some(key) = capture.object_key {
            state.blobs.delete(&key).await?;
        }
    }
    let Some(row) = state.store.session(id).await? else {
        return Ok(());
    };
    let scrubbed = row
        .evaluation
        .as_deref()
        .map(|e| serde_json::from_str::<Evaluation>(e).map(scrub))
        .transpose()?
        .map(|e| serde_json::to_string(&e))
        .transpose()?;
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    tx.purge_session(id, scrubbed.as_deref(), now).await?;
    tx.audit(
        &AuditEntry::new(now, &flow.id, *id, Actor::System.as_str(), "session.purged")
            .because("retention"),
    )
    .await?;
    tx.commit().await
}

/// The evaluation without the document and without details that quote it (dates, age).
fn scrub(mut evaluation: Evaluation) -> Evaluation {
    const REMOVED: &str = "details removed by retention";
    for block in &mut evaluation.blocks {
        block.document = None;
        if let Some(reason) = &mut block.failure_reason {
            reason.detail = REMOVED.to_owned();
        }
    }
    for reason in &mut evaluation.failure_reasons {
        reason.detail = REMOVED.to_owned();
    }
    evaluation
}
