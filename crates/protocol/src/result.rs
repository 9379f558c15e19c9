//! The result document of `result/light/` and `result/`.

use serde::{Deserialize, Serialize};

use crate::codes::{CheckValue, ReasonType, Status, Technology};
use crate::ids::SessionId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultDocument {
    pub id: SessionId,
    pub flow_id: String,
    pub status: Status,
    /// `null` until evaluated; kept through review (the reviewer's decision is the status).
    pub overall_result: Option<bool>,
    pub failure_reasons: Vec<FailureReason>,
    pub vendor_data: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
    /// Present once the session is FINISHED or FAILED, for flows with `MRZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrz_result: Option<TechnologyResult>,
    /// Present once the session is FINISHED or FAILED, for flows with document recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_recognition_result: Option<TechnologyResult>,
}

/// A reason with the technology it belongs to (`failure_reasons[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReason {
    #[serde(rename = "type")]
    pub kind: ReasonType,
    pub detail: String,
    pub technology: Technology,
}

/// A block's own reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    #[serde(rename = "type")]
    pub kind: ReasonType,
    pub detail: String,
}

/// One technology's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TechnologyResult {
    pub result: bool,
    pub failure_reason: Option<Reason>,
    /// The server's own read; `null` when there is none (or after retention).
    pub document: Option<Document>,
    pub checks: Checks,
    pub images: Images,
}

/// Check outcomes. `mrz_result` carries `mrz_check_digits` only; document recognition
/// carries all seven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checks {
    pub mrz_check_digits: CheckValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_expired: Option<CheckValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_age: Option<CheckValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_allowed: Option<CheckValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type_allowed: Option<CheckValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_quality: Option<CheckValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_server_agreement: Option<CheckValue>,
}

/// The document as the server read it from the MRZ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub document_code: String,
    pub issuing_country: String,
    pub document_number: String,
    pub surname: String,
    pub given_names: String,
    pub nationality: String,
    /// `YYYY-MM-DD`, or `null` when the printed date has unknown parts.
    pub date_of_birth: Option<String>,
    /// The six printed characters, always present.
    pub date_of_birth_raw: String,
    pub sex: String,
    pub date_of_expiry: Option<String>,
    pub date_of_expiry_raw: String,
    pub optional_data: Option<String>,
    pub optional_data_2: Option<String>,
    pub mrz: Vec<String>,
}

/// Image links per step: signed URLs (`result/light/`) or `data:` URLs (`result/`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Images {
    pub mrz_side: Option<String>,
    pub other_side: Option<String>,
}
