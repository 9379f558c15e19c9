//! Flow creation (operator → server): technologies plus configuration.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `POST /api/v1/admin/flows` body. Technologies stay strings here so that an unknown
/// code is reported as `unsupported_technology`, naming it, rather than as bad JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateFlowRequest {
    pub technologies: Vec<String>,
    #[serde(default)]
    pub config: FlowConfig,
}

/// `{"id", "api_key"}`: the key is shown this once and stored only as a hash.
#[derive(Clone, Serialize, Deserialize)]
pub struct FlowCreated {
    pub id: String,
    pub api_key: String,
}

impl fmt::Debug for FlowCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowCreated")
            .field("id", &self.id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

/// A flow's configuration; every field is optional, with the spec's defaults.
/// Unknown fields are refused: a misspelt option silently ignored is worse than an error.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowConfig {
    pub display_name: Option<String>,
    pub success_redirect_url: Option<String>,
    pub failure_redirect_url: Option<String>,
    /// `None`: the server's own origin plus `http://localhost:*` and `http://127.0.0.1:*`.
    pub allowed_origins: Option<Vec<String>>,
    pub session_lifetime_minutes: u32,
    pub max_attempts: u32,
    /// 0 keeps everything.
    pub retention_days: u32,
    pub webhook_url: Option<String>,
    /// `whsec_<base64>`.
    pub webhook_secret: Option<String>,
    pub doc_recognition_config: DocRecognitionConfig,
}

impl Default for FlowConfig {
    fn default() -> Self {
        Self {
            display_name: None,
            success_redirect_url: None,
            failure_redirect_url: None,
            allowed_origins: None,
            session_lifetime_minutes: 30,
            max_attempts: 3,
            retention_days: 0,
            webhook_url: None,
            webhook_secret: None,
            doc_recognition_config: DocRecognitionConfig::default(),
        }
    }
}

impl fmt::Debug for FlowConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowConfig")
            .field("display_name", &self.display_name)
            .field("success_redirect_url", &self.success_redirect_url)
            .field("failure_redirect_url", &self.failure_redirect_url)
            .field("allowed_origins", &self.allowed_origins)
            .field("session_lifetime_minutes", &self.session_lifetime_minutes)
            .field("max_attempts", &self.max_attempts)
            .field("retention_days", &self.retention_days)
            .field("webhook_url", &self.webhook_url)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("doc_recognition_config", &self.doc_recognition_config)
            .finish()
    }
}

/// Rules of `DOCUMENT_RECOGNITION` / `DOC_REC_V2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocRecognitionConfig {
    pub reject_expired: bool,
    /// Whole years on the day of evaluation; `None`: no age rule.
    pub minimal_holder_age: Option<u32>,
    /// Issuing-state codes as printed, fillers dropped (`UTO`, `D`); `None`: all.
    pub allowed_countries: Option<Vec<String>>,
    /// `TD1`, `TD2`, `TD3`, `MRVA`, `MRVB`, `FRENCH_ID`; `None`: all.
    pub allowed_document_types: Option<Vec<String>>,
}

impl Default for DocRecognitionConfig {
    fn default() -> Self {
        Self {
            reject_expired: true,
            minimal_holder_age: None,
            allowed_countries: None,
            allowed_document_types: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_has_the_spec_defaults() {
        let config: FlowConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config.session_lifetime_minutes, 30);
        assert_eq!(config.max_attempts, 3);
        assert_eq!(config.retention_days, 0);
        assert!(config.doc_recognition_config.reject_expired);
        assert!(config.allowed_origins.is_none());
    }

    #[test]
    fn misspelt_options_are_refused_and_secrets_not_printed() {
        assert!(serde_json::from_str::<FlowConfig>(r#"{"max_attemps": 5}"#).is_err());
        let config: FlowConfig =
            serde_json::from_str(r#"{"webhook_secret": "whsec_c2VjcmV0"}"#).unwrap();
        assert!(!format!("{config:?}").contains("c2VjcmV0"));
    }
}
