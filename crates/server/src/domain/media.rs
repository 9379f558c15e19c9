//! Signed, expiring media links: `/api/v1/media/<session>.<capture>.<expiry>.<mac>`,
//! where the MAC is HMAC-SHA256 under a key kept in the data directory. A link proves
//! that someone holding the flow key asked for the result within its lifetime.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use flow_protocol::{CaptureId, SessionId};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::clock::{Millis, SECOND};
use crate::error::{Error, Result};

/// How long a link is valid (the spec's 10 minutes).
pub const LINK_LIFETIME: Millis = 10 * 60 * SECOND;

const KEY_FILE: &str = "media-signing.key";

#[derive(Clone)]
pub struct MediaKey([u8; 32]);

impl std::fmt::Debug for MediaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MediaKey(<redacted>)")
    }
}

impl MediaKey {
    /// Reads the key from the data directory, creating it (mode 0600) on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<MediaKey> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(KEY_FILE);
        if let Ok(existing) = std::fs::read(&path) {
            let key: [u8; 32] = existing
                .try_into()
                .map_err(|_| Error::Internal(format!("{} is not a 32-byte key", path.display())))?;
            return Ok(MediaKey(key));
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(Error::internal)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(&key)?;
                file.sync_all()?;
                Ok(MediaKey(key))
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Self::load_or_create(data_dir)
            }
            Err(e) => Err(e.into()),
        }
    }

    #[cfg(test)]
    pub fn from_bytes(key: [u8; 32]) -> MediaKey {
        MediaKey(key)
    }

    fn mac(&self, payload: &str) -> Result<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).map_err(Error::internal)?;
        mac.update(payload.as_bytes());
        Ok(mac)
    }

    pub fn sign(
        &self,
        session: &SessionId,
        capture: &CaptureId,
        expires: Millis,
    ) -> Result<String> {
        let payload = format!("{session}.{capture}.{}", expires.div_euclid(SECOND));
        let tag = self.mac(&payload)?.finalize().into_bytes();
        Ok(format!(
            "{payload}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    /// The capture a token names, if its MAC holds and it has not expired.
    pub fn verify(&self, token: &str, now: Millis) -> Result<(SessionId, CaptureId)> {
        let mut parts = token.splitn(4, '.');
        let (Some(session), Some(capture), Some(expires), Some(tag)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::MediaNotFound);
        };
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| Error::MediaNotFound)?;
        let payload = format!("{session}.{capture}.{expires}");
        self.mac(&payload)?
            .verify_slice(&tag)
            .map_err(|_| Error::MediaNotFound)?;
        let expires: i64 = expires.parse().map_err(|_| Error::MediaNotFound)?;
        if now.div_euclid(SECOND) >= expires {
            return Err(Error::MediaExpired);
        }
        let session = session.parse().map_err(|_| Error::MediaNotFound)?;
        let capture = capture.parse().map_err(|_| Error::MediaNotFound)?;
        Ok((session, capture))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_expire_and_resist_tampering() {
        let key = MediaKey::from_bytes([7; 32]);
        let s: SessionId = "6f1c2d3e-4b5a-4c6d-8e7f-901234567890".parse().unwrap();
        let c: CaptureId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
        let token = key.sign(&s, &c, 1_000_000).unwrap();
        assert_eq!(key.verify(&token, 999_000).unwrap(), (s, c));
        assert!(matches!(
            key.verify(&token, 1_000_000),
            Err(Error::MediaExpired)
        ));
        let other: CaptureId = "00000000-0000-4000-8000-000000000002".parse().unwrap();
        let forged = token.replace(&c.to_string(), &other.to_string());
        assert!(matches!(key.verify(&forged, 0), Err(Error::MediaNotFound)));
        let longer = token.replace(".1000.", ".9999.");
        assert!(matches!(key.verify(&longer, 0), Err(Error::MediaNotFound)));
        assert!(matches!(
            MediaKey::from_bytes([8; 32]).verify(&token, 0),
            Err(Error::MediaNotFound)
        ));
        assert!(matches!(key.verify("x", 0), Err(Error::MediaNotFound)));
    }
}
