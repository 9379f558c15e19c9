//! Webhooks: Standard Webhooks signing over a durable outbox. A status change writes
//! its messages in the same transaction (so none is lost to a crash), and a worker
//! delivers them at least once, retrying with exponential back-off for 24 hours.
//! Payloads hold ids, statuses and technology codes only — never personal data.
//!
//! Signing uses `standardwebhooks`, the reference implementation published by the
//! Standard Webhooks project itself; the tests check its output with an independent
//! HMAC-SHA256 computation.

use std::time::Duration;

use flow_protocol::{SessionId, Status, Technology, WebhookEvent, WebhookEventType};
use tokio::sync::watch;
use uuid::Uuid;

use crate::clock::{rfc3339, Millis, SECOND};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{FlowRow, OutboxRow, Tx};

/// Queues one event for the flow's endpoint (nothing when the flow has none).
pub async fn enqueue(
    tx: &mut Tx,
    flow: &FlowRow,
    session: &SessionId,
    kind: WebhookEventType,
    status: Status,
    technology: Option<Technology>,
    now: Millis,
) -> Result<()> {
    if flow.config.webhook_url.is_none() {
        return Ok(());
    }
    let event = WebhookEvent {
        kind,
        session_id: *session,
        flow_id: flow.id.clone(),
        status,
        technology,
        timestamp: rfc3339(now),
    };
    tx.enqueue_message(&OutboxRow {
        id: format!("msg_{}", Uuid::new_v4()),
        flow_id: flow.id.clone(),
        session_id: session.to_string(),
        payload: serde_json::to_string(&event)?,
        created_at: now,
        next_attempt_at: now,
        attempts: 0,
    })
    .await
}

/// The delivery worker: runs until `shutdown` turns true.
pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::warn!(error = %err, "webhook delivery pass failed");
        }
        let poll = state.config.webhooks.poll_interval;
        let wait = match state.store.next_message_due().await {
            Ok(Some(due)) => {
                let ms = (due - state.clock.now()).clamp(0, duration_ms(poll));
                Duration::from_millis(u64::try_from(ms).unwrap_or(0))
            }
            _ => poll,
        };
        tokio::select! {
            _ = state.webhook_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
}

fn duration_ms(d: Duration) -> Millis {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// One pass over the messages that are due; returns how many were attempted.
pub async fn deliver_due(state: &AppState) -> Result<usize> {
    let due = state.store.due_messages(state.clock.now(), 50).await?;
    let mut attempted = 0;
    for msg in due {
        let settings = state.config.webhooks;
        let now = state.clock.now();
        let lease = now + duration_ms(settings.timeout) + 5 * SECOND;
        if !state.store.claim_message(&msg, lease).await? {
            continue;
        }
        attempted += 1;
        let attempts = msg.attempts + 1;
        let outcome = match state.store.flow(&msg.flow_id).await? {
            Some(flow) => send(state, &flow, &msg).await,
            None => Err("the flow no longer exists".to_owned()),
        };
        let now = state.clock.now();
        match outcome {
            Ok(()) => {
                state
                    .store
                    .message_delivered(&msg.id, attempts, now)
                    .await?
            }
            Err(error) => {
                let delay = backoff(settings.retry_base, settings.retry_max_delay, attempts);
                let next = now + duration_ms(delay);
                if next - msg.created_at > duration_ms(settings.give_up_after) {
                    tracing::warn!(message = %msg.id, attempts, %error, "webhook abandoned");
                    state
                        .store
                        .message_failed(&msg.id, attempts, now, &error)
                        .await?;
                } else {
                    tracing::info!(message = %msg.id, attempts, %error, "webhook will be retried");
                    state
                        .store
                        .message_retry(&msg.id, attempts, next, &error)
                        .await?;
                }
            }
        }
    }
    Ok(attempted)
}

/// `base · 2^(attempts-1)`, capped.
pub fn backoff(base: Duration, max: Duration, attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    base.saturating_mul(2u32.saturating_pow(exponent)).min(max)
}

/// The three Standard Webhooks headers for one message.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Result<String> {
    let hook = standardwebhooks::Webhook::new(secret)
        .map_err(|e| Error::Internal(format!("webhook secret: {e}")))?;
    hook.sign(msg_id, timestamp, body.as_bytes())
        .map_err(|e| Error::Internal(format!("webhook signing: {e}")))
}

async fn send(
    state: &AppState,
    flow: &FlowRow,
    msg: &OutboxRow,
) -> std::result::Result<(), String> {
    let (Some(url), Some(secret)) = (&flow.config.webhook_url, &flow.config.webhook_secret) else {
        return Err("the flow has no webhook_url or webhook_secret".to_owned());
    };
    let timestamp = state.clock.now().div_euclid(SECOND);
    let signature = sign(secret, &msg.id, timestamp, &msg.payload).map_err(|e| e.to_string())?;
    let response = state
        .http
        .post(url)
        .timeout(state.config.webhooks.timeout)
        .header("content-type", "application/json")
        .header("webhook-id", &msg.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(msg.payload.clone())
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("endpoint answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(base, max, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, max, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, max, 4), Duration::from_secs(80));
        assert_eq!(backoff(base, max, 40), max);
    }
}
