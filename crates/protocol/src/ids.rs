//! Identifiers that are validated once, when parsed, and trusted after.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Why a string is not a valid identifier (worded for session ids, the ones people see;
/// a bad capture id is reported by the server as `invalid_capture_id`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("missing session id")]
    Empty,
    #[error("session id is not a UUID: {0:?}")]
    NotUuid(String),
    #[error("session id is not a random (version 4) UUID")]
    NotRandom,
}

/// Parses the hyphenated form only (lower or upper case), so that one id has exactly
/// one spelling in URLs, logs and the database.
fn parse_hyphenated(s: &str) -> Result<Uuid, IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    let shown: String = s.chars().take(64).collect();
    if s.len() != 36 {
        return Err(IdError::NotUuid(shown));
    }
    Uuid::try_parse(s).map_err(|_| IdError::NotUuid(shown))
}

/// A session id: a UUIDv4, the widget's only credential (122 random bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(Uuid);

impl FromStr for SessionId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_uuid(parse_hyphenated(s)?)
    }
}

impl SessionId {
    pub fn from_uuid(uuid: Uuid) -> Result<Self, IdError> {
        if uuid.get_version_num() == 4 {
            Ok(Self(uuid))
        } else {
            Err(IdError::NotRandom)
        }
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// A capture id: a UUID the client makes per capture, the key of an idempotent upload.
///
/// Any UUID version is accepted (the client picks it; it is not a credential), in the
/// hyphenated form only. `Display` writes lower case, the form the server stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaptureId(Uuid);

impl FromStr for CaptureId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_hyphenated(s).map(Self)
    }
}

impl CaptureId {
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for CaptureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

mod serde_impls {
    use super::{CaptureId, SessionId};
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    macro_rules! string_serde {
        ($ty:ty) => {
            impl Serialize for $ty {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.collect_str(self)
                }
            }
            impl<'de> Deserialize<'de> for $ty {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
                    text.parse().map_err(D::Error::custom)
                }
            }
        };
    }

    string_serde!(SessionId);
    string_serde!(CaptureId);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hyphenated_v4() {
        let id: SessionId = "6f1c2d3e-4b5a-4c6d-8e7f-901234567890".parse().unwrap();
        assert_eq!(id.to_string(), "6f1c2d3e-4b5a-4c6d-8e7f-901234567890");
        let upper: SessionId = "6F1C2D3E-4B5A-4C6D-8E7F-901234567890".parse().unwrap();
        assert_eq!(upper, id);
    }

    #[test]
    fn refuses_bad_ids() {
        assert_eq!("".parse::<SessionId>(), Err(IdError::Empty));
        assert!(matches!(
            "not-a-uuid".parse::<SessionId>(),
            Err(IdError::NotUuid(_))
        ));
        // Simple (unhyphenated) and braced forms are refused: one spelling per session.
        assert!("6f1c2d3e4b5a4c6d8e7f901234567890"
            .parse::<SessionId>()
            .is_err());
        assert!("{6f1c2d3e-4b5a-4c6d-8e7f-901234567890}"
            .parse::<SessionId>()
            .is_err());
        // Version 1 (time-based) is not a random credential.
        assert_eq!(
            "6f1c2d3e-4b5a-1c6d-8e7f-901234567890".parse::<SessionId>(),
            Err(IdError::NotRandom)
        );
        let long = "x".repeat(10_000);
        match long.parse::<SessionId>() {
            Err(IdError::NotUuid(shown)) => assert_eq!(shown.len(), 64),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn capture_ids_take_any_version_and_print_lower_case() {
        let id: CaptureId = "6F1C2D3E-4B5A-1C6D-8E7F-901234567890".parse().unwrap();
        assert_eq!(id.to_string(), "6f1c2d3e-4b5a-1c6d-8e7f-901234567890");
        assert!("6f1c2d3e4b5a1c6d8e7f901234567890"
            .parse::<CaptureId>()
            .is_err());
    }

    #[test]
    fn ids_are_json_strings() {
        let id: SessionId = "6f1c2d3e-4b5a-4c6d-8e7f-901234567890".parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"6f1c2d3e-4b5a-4c6d-8e7f-901234567890\"");
        assert_eq!(serde_json::from_str::<SessionId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<SessionId>("\"nope\"").is_err());
    }
}
