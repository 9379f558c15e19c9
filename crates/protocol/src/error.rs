//! The one error shape of every endpoint: `{"error": {"type", "detail"}}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A snake_case code, stable across releases.
    #[serde(rename = "type")]
    pub kind: String,
    /// Human text; never personal data, never internals on a 5xx.
    pub detail: String,
}
