//! The sweeper: closes sessions whose lifetime passed without anyone looking (lazy
//! expiry covers those that are looked at), and applies each flow's `retention_days`:
//! captures and personal fields go, ids, statuses, verdicts and the audit log stay.

use std::collections::HashSet;
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

/// Sessions asked for at a time.
const BATCH: i64 = 100;

/// One pass. A session that cannot be expired or purged is logged and skipped (it stays
/// due, for the next pass): one bad row must not hold up every other session. Errors
/// that concern no single session (listing what is due) end the pass.
pub async fn sweep_once(state: &AppState) -> Result<Sweep> {
    let mut sweep = Sweep::default();
    // Sessions skipped in this pass (failed, or without a flow): still due, so each batch asks for that many
    // more and skips them, and the pass ends when a batch brings nothing new.
    let mut skipped: HashSet<SessionId> = HashSet::new();
    loop {
        let limit = BATCH + i64::try_from(skipped.len()).unwrap_or(i64::MAX - BATCH);
        let due = state
            .store
            .sessions_past_expiry(state.clock.now(), limit)
            .await?;
        let fresh: Vec<&SessionId> = due.iter().filter(|id| !skipped.contains(id)).collect();
        if fresh.is_empty() {
            break;
        }
        for id in fresh {
            match expire_one(state, id).await {
                Ok(true) => sweep.expired += 1,
                Ok(false) => {
                    skipped.insert(*id);
                }
                Err(err) => {
                    // Not the session id: it is the widget's credential.
                    tracing::warn!(error = %err, "expiring a session failed; skipped");
                    skipped.insert(*id);
                }
            }
        }
        if i64::try_from(due.len()).unwrap_or(i64::MAX) < limit {
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
            let limit = BATCH + i64::try_from(skipped.len()).unwrap_or(i64::MAX - BATCH);
            let due = state
                .store
                .sessions_past_retention(&flow.id, cutoff, limit)
                .await?;
            let fresh: Vec<&SessionId> = due.iter().filter(|id| !skipped.contains(id)).collect();
            if fresh.is_empty() {
                break;
            }
            for id in fresh {
                match purge(state, &flow, id).await {
                    Ok(()) => sweep.purged += 1,
                    Err(err) => {
                        tracing::warn!(flow = %flow.id, error = %err, "purging a session failed; skipped");
                        skipped.insert(*id);
                    }
                }
            }
            if i64::try_from(due.len()).unwrap_or(i64::MAX) < limit {
                break;
            }
        }
    }
    Ok(sweep)
}

/// Expires one due session; `false` when it has no flow (nothing to do).
async fn expire_one(state: &AppState, id: &SessionId) -> Result<bool> {
    let Some(row) = state.store.session(id).await? else {
        return Ok(false);
    };
    let Some(flow) = state.store.flow(&row.flow_id).await? else {
        return Ok(false);
    };
    sessions::expire_if_due(state, &flow, row).await?;
    Ok(true)
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
