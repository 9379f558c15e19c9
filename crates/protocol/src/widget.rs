//! Widget → server: bootstrap, captures, events, finish.

use serde::{Deserialize, Serialize};

use crate::codes::{
    CaptureSource, ReasonType, Status, StepId, StepKind, StepWhen, Technology, WidgetEventType,
};
use crate::ids::{CaptureId, SessionId};

/// The largest `X-Capture-Meta` header the server reads.
pub const MAX_CAPTURE_META_BYTES: usize = 4096;

/// `GET /api/v1/widget/sessions/{session_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bootstrap {
    pub session_id: SessionId,
    pub status: Status,
    pub display_name: String,
    /// The session's locale from session create; `null` lets the widget negotiate.
    pub locale: Option<String>,
    pub expires_at: String,
    pub limits: Limits,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_capture_bytes: u64,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub id: StepId,
    pub kind: StepKind,
    pub technologies: Vec<Technology>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<StepWhen>,
}

/// The `X-Capture-Meta` header (JSON, ≤ 4 kB). `step` stays a string so that an unknown
/// step is `400 unknown_step` rather than `invalid_meta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureMeta {
    pub step: String,
    #[serde(default)]
    pub source: Option<CaptureSource>,
    /// The client's own read, a hint the server compares with its read.
    #[serde(default)]
    pub client_mrz: Option<Vec<String>>,
    #[serde(default)]
    pub quality: Option<ClientQuality>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
}

/// The client's quality measurement (informational; the server measures its own).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientQuality {
    #[serde(default)]
    pub blur_score: Option<f32>,
    #[serde(default)]
    pub glare_fraction: Option<f32>,
    #[serde(default)]
    pub blurry: Option<bool>,
    #[serde(default)]
    pub glare: Option<bool>,
}

/// `201`/`200` answer of a capture upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureResponse {
    pub capture_id: CaptureId,
    /// Hex SHA-256 of the bytes as uploaded.
    pub sha256: String,
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retake_reason: Option<ReasonType>,
}

/// `POST …/events`: telemetry, no personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetEvent {
    #[serde(rename = "type")]
    pub kind: WidgetEventType,
    #[serde(default)]
    pub step: Option<String>,
    /// Client time: an RFC 3339 string or Unix milliseconds.
    pub at: serde_json::Value,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// `POST …/finish` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinishResponse {
    pub status: Status,
}
