//! Flows: creation (validation, the API key) and authentication of host calls.

use base64::Engine;
use flow_protocol::{FlowConfig, FlowCreated, Technology};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::store::{FlowRow, Store};

/// Default `allowed_origins`: local development. The server's own origin is always
/// allowed on top (its hosted pages must work for every flow).
pub const DEFAULT_ALLOWED_ORIGINS: [&str; 2] = ["http://localhost:*", "http://127.0.0.1:*"];

const KEY_PREFIX: &str = "flk_";

/// Checks and stores a flow; returns its id and the API key (shown this once).
pub async fn create_flow(
    store: &Store,
    clock: &dyn Clock,
    technologies: &[String],
    config: FlowConfig,
) -> Result<FlowCreated> {
    let technologies = parse_technologies(technologies)?;
    validate_config(&config)?;
    let api_key = new_api_key()?;
    let flow = FlowRow {
        id: Uuid::new_v4().to_string(),
        api_key_hash: hash_key(&api_key),
        technologies,
        config,
        created_at: clock.now(),
    };
    store.insert_flow(&flow).await?;
    Ok(FlowCreated {
        id: flow.id,
        api_key,
    })
}

/// The flow whose key this is; `401 invalid_api_key` for a missing or unknown key.
pub async fn authenticate(store: &Store, api_key: Option<&str>) -> Result<FlowRow> {
    let key = api_key
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 256)
        .ok_or(Error::InvalidApiKey)?;
    store
        .flow_by_key_hash(&hash_key(key))
        .await?
        .ok_or(Error::InvalidApiKey)
}

/// SHA-256, hex. Enough for keys of 256 random bits: no dictionary to try, and no
/// salt needed since no two keys collide; a slow hash would only slow every request.
pub fn hash_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// 256 random bits from the OS, URL-safe.
fn new_api_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(Error::internal)?;
    Ok(format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Codes in order; unknown ones are `unsupported_technology`, never dropped.
pub fn parse_technologies(codes: &[String]) -> Result<Vec<Technology>> {
    if codes.is_empty() {
        return Err(Error::InvalidRequest(
            "technologies must name at least one technology".to_owned(),
        ));
    }
    let mut out: Vec<Technology> = Vec::with_capacity(codes.len());
    for code in codes {
        let tech: Technology = code
            .trim()
            .parse()
            .map_err(|_| Error::UnsupportedTechnology(code.chars().take(64).collect()))?;
        if out.contains(&tech) {
            return Err(Error::InvalidRequest(format!(
                "technology {tech} is named twice"
            )));
        }
        out.push(tech);
    }
    if out.contains(&Technology::DocumentRecognition) && out.contains(&Technology::DocRecV2) {
        return Err(Error::InvalidRequest(
            "DOCUMENT_RECOGNITION and DOC_REC_V2 share one result block; name one of them"
                .to_owned(),
        ));
    }
    Ok(out)
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidConfig(msg.into())
}

fn check_http_url(field: &str, value: &str) -> Result<()> {
    let url = url::Url::parse(value).map_err(|e| invalid(format!("{field}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(format!("{field} must be an absolute http(s) URL")));
    }
    Ok(())
}

pub fn validate_config(config: &FlowConfig) -> Result<()> {
    if let Some(name) = &config.display_name {
        if name.chars().count() > 100 {
            return Err(invalid("display_name is longer than 100 characters"));
        }
    }
    for (field, value) in [
        ("success_redirect_url", &config.success_redirect_url),
        ("failure_redirect_url", &config.failure_redirect_url),
        ("webhook_url", &config.webhook_url),
    ] {
        if let Some(value) = value {
            check_http_url(field, value)?;
        }
    }
    if let Some(origins) = &config.allowed_origins {
        for origin in origins {
            OriginPattern::parse(origin)
                .ok_or_else(|| invalid(format!("allowed_origins: {origin:?} is not an origin")))?;
        }
    }
    if !(1..=7 * 24 * 60).contains(&config.session_lifetime_minutes) {
        return Err(invalid(
            "session_lifetime_minutes must be between 1 and 10080 (a week)",
        ));
    }
    if !(1..=20).contains(&config.max_attempts) {
        return Err(invalid("max_attempts must be between 1 and 20"));
    }
    if config.retention_days > 36_500 {
        return Err(invalid("retention_days must be at most 36500"));
    }
    match (&config.webhook_url, &config.webhook_secret) {
        (Some(_), None) => {
            return Err(invalid(
                "webhook_url needs webhook_secret (whsec_<base64>) to sign deliveries",
            ))
        }
        (_, Some(secret)) => {
            webhook_key(secret)?;
        }
        _ => {}
    }
    let rules = &config.doc_recognition_config;
    if rules.minimal_holder_age.is_some_and(|age| age > 150) {
        return Err(invalid("minimal_holder_age must be at most 150"));
    }
    if let Some(countries) = &rules.allowed_countries {
        for code in countries {
            let ok = (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase());
            if !ok {
                return Err(invalid(format!(
                    "allowed_countries: {code:?} is not a code as printed in an MRZ (UTO, D)"
                )));
            }
        }
    }
    if let Some(types) = &rules.allowed_document_types {
        for kind in types {
            if !kyc_vision::Format::ALL.iter().any(|f| f.as_str() == kind) {
                return Err(invalid(format!(
                    "allowed_document_types: {kind:?} is not one of TD1, TD2, TD3, MRVA, MRVB, FRENCH_ID"
                )));
            }
        }
    }
    Ok(())
}

/// The HMAC key of a `whsec_<base64>` secret.
pub fn webhook_key(secret: &str) -> Result<Vec<u8>> {
    let encoded = secret
        .strip_prefix("whsec_")
        .ok_or_else(|| invalid("webhook_secret must look like whsec_<base64>"))?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid("webhook_secret: the part after whsec_ is not base64"))?;
    if key.len() < 16 {
        return Err(invalid("webhook_secret must hold at least 16 bytes"));
    }
    Ok(key)
}

/// One `allowed_origins` entry: `scheme://host[:port]`, where the port may be `*` (any
/// port) and the host may start with `*.` (any subdomain). A missing port is the
/// scheme's default, so `https://a.example` and `https://a.example:443` are one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OriginPattern {
    scheme: String,
    host: String,
    /// `None`: any port.
    port: Option<u16>,
}

impl OriginPattern {
    fn parse(text: &str) -> Option<OriginPattern> {
        let text = text.trim().to_ascii_lowercase();
        let (scheme, rest) = text.split_once("://")?;
        let default_port = match scheme {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        if rest.is_empty() || rest.contains('/') {
            return None;
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, "*")) => (host, None),
            Some((host, port)) => (host, Some(port.parse().ok()?)),
            None => (rest, Some(default_port)),
        };
        let bare = host.strip_prefix("*.").unwrap_or(host);
        let valid_host = !bare.is_empty()
            && bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        valid_host.then(|| OriginPattern {
            scheme: scheme.to_owned(),
            host: host.to_owned(),
            port,
        })
    }

    fn is_concrete(&self) -> bool {
        self.port.is_some() && !self.host.starts_with("*.")
    }

    fn matches(&self, origin: &OriginPattern) -> bool {
        let host_ok = match self.host.strip_prefix("*.") {
            Some(base) => origin
                .host
                .strip_suffix(base)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => self.host == origin.host,
        };
        let port_ok = self.port.is_none() || self.port == origin.port;
        self.scheme == origin.scheme && host_ok && port_ok
    }
}

/// Whether a browser `Origin` may call a session of a flow with these patterns.
/// `own_origin` is the server's own (hosted pages), always allowed.
pub fn origin_allowed(origin: &str, patterns: Option<&[String]>, own_origin: Option<&str>) -> bool {
    let Some(origin) = OriginPattern::parse(origin) else {
        return false;
    };
    if !origin.is_concrete() {
        return false;
    }
    if own_origin
        .and_then(OriginPattern::parse)
        .is_some_and(|own| own.matches(&origin))
    {
        return true;
    }
    match patterns {
        Some(list) => list
            .iter()
            .filter_map(|p| OriginPattern::parse(p))
            .any(|p| p.matches(&origin)),
        None => DEFAULT_ALLOWED_ORIGINS
            .iter()
            .filter_map(|p| OriginPattern::parse(p))
            .any(|p| p.matches(&origin)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_ports_and_subdomains() {
        let list = vec![
            "https://shop.example".to_owned(),
            "https://*.example.org".to_owned(),
            "http://localhost:*".to_owned(),
        ];
        let ok = |o: &str| origin_allowed(o, Some(&list), Some("http://127.0.0.1:8080"));
        assert!(ok("https://shop.example"));
        assert!(ok("https://shop.example:443"));
        assert!(!ok("http://shop.example"));
        assert!(!ok("https://shop.example.evil"));
        assert!(ok("https://a.example.org"));
        assert!(!ok("https://example.org"));
        assert!(!ok("https://evilexample.org"));
        assert!(ok("http://localhost:5173"));
        assert!(ok("http://127.0.0.1:8080"));
        assert!(!ok("http://127.0.0.1:9999"));
        assert!(!ok("null"));
        let default = |o: &str| origin_allowed(o, None, None);
        assert!(default("http://127.0.0.1:3000"));
        assert!(default("http://localhost:8080"));
        assert!(!default("https://localhost:8080"));
        assert!(!default("https://example.com"));
    }

    #[test]
    fn technologies_are_checked() {
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(parse_technologies(&codes(&["MRZ", "DOCUMENT_RECOGNITION"])).is_ok());
        assert!(matches!(
            parse_technologies(&codes(&["MRZ", "LIVENESS"])),
            Err(Error::UnsupportedTechnology(code)) if code == "LIVENESS"
        ));
        assert!(parse_technologies(&codes(&[])).is_err());
        assert!(parse_technologies(&codes(&["MRZ", "MRZ"])).is_err());
        assert!(parse_technologies(&codes(&["DOCUMENT_RECOGNITION", "DOC_REC_V2"])).is_err());
    }

    #[test]
    fn config_rules() {
        let mut config = FlowConfig::default();
        assert!(validate_config(&config).is_ok());
        config.webhook_url = Some("https://hooks.example/x".into());
        assert!(validate_config(&config).is_err());
        config.webhook_secret = Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        assert!(validate_config(&config).is_ok());
        config.doc_recognition_config.allowed_document_types = Some(vec!["TD4".into()]);
        assert!(validate_config(&config).is_err());
    }
}
