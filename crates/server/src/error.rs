//! The crate's one error type. Domain code returns it with `?`; only `IntoResponse`
//! (below) knows about HTTP. 5xx bodies are generic: the detail travels in a response
//! extension that the logging middleware (`http::log_internal_errors`) writes out.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use flow_protocol::{ErrorBody, ErrorDetail, Status};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidConfig(String),
    #[error(
        "technology {0:?} is not supported (supported: MRZ, DOCUMENT_RECOGNITION, DOC_REC_V2)"
    )]
    UnsupportedTechnology(String),
    #[error("missing or invalid flow API key")]
    InvalidApiKey,
    #[error("missing or invalid operator key")]
    InvalidOperatorKey,
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("session not found")]
    SessionNotFound,
    #[error("session is closed ({0})")]
    SessionClosed(Status),
    #[error("a session in {from} cannot move to {to}")]
    InvalidTransition { from: Status, to: Status },
    #[error("status must be APPROVED or DECLINED")]
    InvalidStatus,
    #[error("capture id must be a hyphenated UUID")]
    InvalidCaptureId,
    #[error("X-Capture-Meta: {0}")]
    InvalidMeta(String),
    #[error("step {0:?} is not a step of this session")]
    UnknownStep(String),
    #[error("capture id already used for other bytes")]
    CaptureConflict,
    #[error("body exceeds {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    UnsupportedImage(String),
    #[error("image of {width}×{height} exceeds {limit} pixels")]
    ImageTooLarge { width: u32, height: u32, limit: u64 },
    #[error("session already holds {0} captures")]
    QuotaExceeded(u32),
    #[error("{0}")]
    UploadsPending(String),
    #[error("origin not allowed for this session")]
    OriginNotAllowed,
    #[error("media link is invalid")]
    MediaNotFound,
    #[error("media link has expired")]
    MediaExpired,
    /// Anything the caller cannot fix: database, storage, I/O, a bug.
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn internal(err: impl std::fmt::Display) -> Self {
        Error::Internal(err.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::InvalidJson(_)
            | Error::InvalidRequest(_)
            | Error::InvalidConfig(_)
            | Error::UnsupportedTechnology(_)
            | Error::InvalidStatus
            | Error::InvalidCaptureId
            | Error::InvalidMeta(_)
            | Error::UnknownStep(_) => StatusCode::BAD_REQUEST,
            Error::InvalidApiKey | Error::InvalidOperatorKey => StatusCode::UNAUTHORIZED,
            Error::OriginNotAllowed => StatusCode::FORBIDDEN,
            Error::NotFound | Error::SessionNotFound | Error::MediaNotFound => {
                StatusCode::NOT_FOUND
            }
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::InvalidTransition { .. } | Error::CaptureConflict | Error::UploadsPending(_) => {
                StatusCode::CONFLICT
            }
            Error::SessionClosed(_) | Error::MediaExpired => StatusCode::GONE,
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedImage(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::ImageTooLarge { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::QuotaExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The spec's snake_case `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidJson(_) => "invalid_json",
            Error::InvalidRequest(_) => "invalid_request",
            Error::InvalidConfig(_) => "invalid_config",
            Error::UnsupportedTechnology(_) => "unsupported_technology",
            Error::InvalidApiKey => "invalid_api_key",
            Error::InvalidOperatorKey => "invalid_operator_key",
            Error::NotFound => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::SessionNotFound => "session_not_found",
            Error::SessionClosed(_) => "session_closed",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::InvalidStatus => "invalid_status",
            Error::InvalidCaptureId => "invalid_capture_id",
            Error::InvalidMeta(_) => "invalid_meta",
            Error::UnknownStep(_) => "unknown_step",
            Error::CaptureConflict => "capture_conflict",
            Error::TooLarge { .. } => "too_large",
            Error::UnsupportedImage(_) => "unsupported_image",
            Error::ImageTooLarge { .. } => "image_too_large",
            Error::QuotaExceeded(_) => "quota_exceeded",
            Error::UploadsPending(_) => "uploads_pending",
            Error::OriginNotAllowed => "origin_not_allowed",
            Error::MediaNotFound => "media_not_found",
            Error::MediaExpired => "media_expired",
            Error::Internal(_) => "internal_error",
        }
    }

    /// The body: `{"error": {"type", "detail"}}`.
    pub fn body(&self) -> ErrorBody {
        let detail = match self {
            Error::Internal(_) => "internal error; the server log has the details".to_owned(),
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                kind: self.kind().to_owned(),
                detail,
            },
        }
    }
}

/// An internal error's detail, carried to the logging middleware.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if let Error::Internal(detail) = self {
            response.extensions_mut().insert(InternalDetail(detail));
        }
        response
    }
}

macro_rules! internal_from {
    ($($ty:ty),+ $(,)?) => {
        $(impl From<$ty> for Error {
            fn from(err: $ty) -> Self {
                Error::Internal(format!("{}: {err}", stringify!($ty)))
            }
        })+
    };
}

internal_from!(
    sqlx::Error,
    sqlx::migrate::MigrateError,
    object_store::Error,
    std::io::Error,
    serde_json::Error,
    tokio::task::JoinError,
);
