//! The closed vocabularies of the protocol: statuses, technologies, reasons, checks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A code outside the protocol's vocabulary (kept, shortened, for the error message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

impl UnknownCode {
    fn new(s: &str) -> Self {
        Self(s.chars().take(64).collect())
    }
}

/// Declares a string enum with one spelling per variant, used for JSON and SQL alike.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownCode::new(s)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum! {
    /// The eight session statuses. `Qr` is reserved: nothing enters it yet.
    Status {
        Created => "CREATED",
        Qr => "QR",
        Progress => "PROGRESS",
        Finished => "FINISHED",
        Failed => "FAILED",
        InReview => "IN_REVIEW",
        Approved => "APPROVED",
        Declined => "DECLINED",
    }
}

impl Status {
    /// The widget may still capture (the session is open).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Created | Status::Qr | Status::Progress)
    }
}

code_enum! {
    /// Technology codes a flow may name; any other code is refused at creation.
    Technology {
        Mrz => "MRZ",
        DocumentRecognition => "DOCUMENT_RECOGNITION",
        DocRecV2 => "DOC_REC_V2",
    }
}

impl Technology {
    /// The human name shown in `technologies[].name`.
    pub fn display_name(self) -> &'static str {
        match self {
            Technology::Mrz => "MRZ",
            Technology::DocumentRecognition => "Document Recognition",
            Technology::DocRecV2 => "Document Recognition V2",
        }
    }

    /// The result document's key for this technology's block.
    pub fn result_key(self) -> &'static str {
        match self {
            Technology::Mrz => "mrz_result",
            Technology::DocumentRecognition | Technology::DocRecV2 => "doc_recognition_result",
        }
    }

    /// Document recognition (either version): quality and rule checks apply.
    pub fn is_doc_recognition(self) -> bool {
        matches!(self, Technology::DocumentRecognition | Technology::DocRecV2)
    }
}

code_enum! {
    /// Why a technology failed, a capture was not accepted, or a session failed.
    ReasonType {
        MrzNotFound => "mrz_not_found",
        MrzCheckDigitMismatch => "mrz_check_digit_mismatch",
        DocumentExpired => "document_expired",
        HolderTooYoung => "holder_too_young",
        CountryNotAllowed => "country_not_allowed",
        DocumentTypeNotAllowed => "document_type_not_allowed",
        ImageQuality => "image_quality",
        ClientServerMismatch => "client_server_mismatch",
        AttemptsExceeded => "attempts_exceeded",
        SessionExpired => "session_expired",
        NoCapture => "no_capture",
    }
}

code_enum! {
    /// The outcome of one check in a result block.
    CheckValue {
        Passed => "passed",
        Failed => "failed",
        /// The rule is not configured or does not apply; it never fails a result.
        NotApplied => "not_applied",
    }
}

code_enum! {
    /// The steps a flow can ask for, in order.
    StepId {
        MrzSide => "mrz_side",
        OtherSide => "other_side",
    }
}

code_enum! {
    /// What the user does in a step.
    StepKind {
        /// The side with the MRZ: auto-capture on a stable read.
        DocumentMrz => "document_mrz",
        /// Quality-gated capture, no MRZ expected.
        DocumentOtherSide => "document_other_side",
    }
}

code_enum! {
    /// When a step applies (absent: always).
    StepWhen {
        /// Only when the MRZ side read as `TD1`, `TD2` or `FRENCH_ID`.
        Card => "card",
    }
}

code_enum! {
    /// Where a capture came from.
    CaptureSource {
        Camera => "camera",
        Upload => "upload",
    }
}

code_enum! {
    /// Telemetry events the widget reports.
    WidgetEventType {
        StepStarted => "step_started",
        Quality => "quality",
        Retake => "retake",
        CameraError => "camera_error",
        UploadRetry => "upload_retry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text_and_json() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().unwrap(), *status);
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(Status::ALL.len(), 8);
        assert_eq!(ReasonType::ALL.len(), 11);
        assert!("FACE".parse::<Technology>().is_err());
        assert!("mrz".parse::<Technology>().is_err());
    }
}
