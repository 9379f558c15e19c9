//! Webhook payloads: ids and statuses only, never personal data.

use serde::{Deserialize, Serialize};

use crate::codes::{Status, Technology};
use crate::ids::SessionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookEventType {
    /// CREATED → PROGRESS.
    #[serde(rename = "flow.start")]
    FlowStart,
    /// The first capture for a technology.
    #[serde(rename = "technology.start")]
    TechnologyStart,
    /// A technology's verdict at finish.
    #[serde(rename = "technology.end")]
    TechnologyEnd,
    /// Every move into FINISHED, FAILED, APPROVED or DECLINED.
    #[serde(rename = "flow.end")]
    FlowEnd,
}

impl WebhookEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::FlowStart => "flow.start",
            WebhookEventType::TechnologyStart => "technology.start",
            WebhookEventType::TechnologyEnd => "technology.end",
            WebhookEventType::FlowEnd => "flow.end",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    #[serde(rename = "type")]
    pub kind: WebhookEventType,
    pub session_id: SessionId,
    pub flow_id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technology: Option<Technology>,
    pub timestamp: String,
}
