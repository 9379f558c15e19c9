//! Host backend → server: session create, reviews and status updates.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::{Status, Technology};
use crate::ids::SessionId;

/// `POST /api/v1/flows/session/create/`. Fields stay loose (`Option`) so that a
/// missing key is `401 invalid_api_key`, not a JSON error.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub vendor_data: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
}

impl fmt::Debug for CreateSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSessionRequest")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("vendor_data", &self.vendor_data.as_ref().map(|_| "<set>"))
            .field("locale", &self.locale)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnologyInfo {
    pub name: String,
    pub code: Technology,
}

impl From<Technology> for TechnologyInfo {
    fn from(code: Technology) -> Self {
        Self {
            name: code.display_name().to_owned(),
            code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSessionResponse {
    pub session_id: SessionId,
    pub flow_id: String,
    pub status: Status,
    pub technologies: Vec<TechnologyInfo>,
    pub expires_at: String,
}

/// `POST /api/v1/flows/session/review/start/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewStartRequest {
    pub session_id: String,
}

/// `POST /api/v1/flows/session/status/`: the target stays a string so that any value
/// but `APPROVED`/`DECLINED` is `400 invalid_status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusUpdateRequest {
    pub session_id: String,
    pub status: String,
    #[serde(default)]
    pub content: Option<String>,
}

/// `{"session_id", "status"}`, the answer of review start and status update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionStatusResponse {
    pub session_id: SessionId,
    pub status: Status,
}

/// `POST /api/v1/flows/session/reviews/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewPostRequest {
    pub session_id: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReviewKind {
    /// A reviewer's note.
    Message,
    /// A status decision (APPROVED/DECLINED), with its optional `content` as text.
    Status,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    pub kind: ReviewKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewList {
    pub reviews: Vec<Review>,
}
