//! Wire types of `shared/spec/session-protocol.md`, shared by the widget and the server
//! so that the two cannot drift. Timestamps are RFC 3339 strings here (the server owns
//! the clock); ids are parsed newtypes.

mod codes;
mod error;
mod flow;
mod host;
mod ids;
mod result;
mod webhook;
mod widget;

pub use codes::{
    CaptureSource, CheckValue, ReasonType, Status, StepId, StepKind, StepWhen, Technology,
    UnknownCode, WidgetEventType,
};
pub use error::{ErrorBody, ErrorDetail};
pub use flow::{CreateFlowRequest, DocRecognitionConfig, FlowConfig, FlowCreated};
pub use host::{
    CreateSessionRequest, CreateSessionResponse, Review, ReviewKind, ReviewList, ReviewPostRequest,
    ReviewStartRequest, SessionStatusResponse, StatusUpdateRequest, TechnologyInfo,
};
pub use ids::{CaptureId, IdError, SessionId};
pub use result::{
    Checks, Document, FailureReason, Images, Reason, ResultDocument, TechnologyResult,
};
pub use webhook::{WebhookEvent, WebhookEventType};
pub use widget::{
    Bootstrap, CaptureMeta, CaptureResponse, ClientQuality, FinishResponse, Limits, Step,
    WidgetEvent, MAX_CAPTURE_META_BYTES,
};
