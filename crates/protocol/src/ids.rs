//! Identifiers that are validated once, when parsed, and trusted after.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("missing session id")]
    Empty,
    #[error("session id is not a UUID: {0:?}")]
    NotUuid(String),
    #[error("session id is not a random (version 4) UUID")]
    NotRandom,
}

/// A session id: a UUIDv4, the widget's only credential (122 random bits).
///
/// Only the hyphenated lower- or upper-case form is accepted, as the server issues it,
/// so that one session has exactly one spelling in URLs and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(Uuid);

impl FromStr for SessionId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let shown: String = s.chars().take(64).collect();
        if s.len() != 36 {
            return Err(IdError::NotUuid(shown));
        }
        let uuid = Uuid::try_parse(s).map_err(|_| IdError::NotUuid(shown))?;
        if uuid.get_version_num() != 4 {
            return Err(IdError::NotRandom);
        }
        Ok(Self(uuid))
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
}
