//! One typed configuration: defaults (`Config::default`), then the environment, then
//! command-line flags (clap applies `env` and flags over the defaults in `main.rs`).
//! Secrets are redacted in `Debug`, so the configuration can be logged at start-up.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

#[derive(Clone)]
pub struct Config {
    /// Where `serve` listens.
    pub addr: SocketAddr,
    /// SQLite database, local captures, the media key and `demo-flow.json`.
    pub data_dir: PathBuf,
    /// Base of absolute URLs (media links); `None`: the request's own scheme and host.
    pub public_url: Option<Url>,
    /// The built widget, served under `/widget/`.
    pub widget_dir: PathBuf,
    /// `postgres://…` overrides the embedded SQLite (contains a password: redacted).
    pub database_url: Option<String>,
    /// `s3://bucket/prefix` overrides the local capture directory.
    pub storage_url: Option<String>,
    /// Enables the admin API; without it the admin API answers 404.
    pub operator_key: Option<String>,
    /// Create the demo flow and mount the demo host.
    pub demo: bool,
    pub limits: Limits,
    /// How often expired sessions are closed and retention is applied.
    pub sweep_interval: Duration,
    pub webhooks: WebhookSettings,
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Capture body limit (413 above it), checked before the body is read.
    pub max_capture_bytes: u64,
    /// Pixel limit read from the image header, before decoding (422 above it).
    pub max_capture_pixels: u64,
    /// Captures per session (429 above it).
    pub capture_quota: u32,
    /// JSON request bodies.
    pub max_json_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_capture_bytes: 10 * 1024 * 1024,
            max_capture_pixels: 40_000_000,
            capture_quota: 20,
            max_json_bytes: 64 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct WebhookSettings {
    /// First retry delay; doubles per failed attempt.
    pub retry_base: Duration,
    /// Longest delay between two attempts.
    pub retry_max_delay: Duration,
    /// Delivery stops this long after the event (the spec's 24 h).
    pub give_up_after: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How often the worker looks for due messages when nothing woke it.
    pub poll_interval: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            retry_base: Duration::from_secs(10),
            retry_max_delay: Duration::from_secs(60 * 60),
            give_up_after: Duration::from_secs(24 * 60 * 60),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(5),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            public_url: None,
            widget_dir: PathBuf::from("./dist"),
            database_url: None,
            storage_url: None,
            operator_key: None,
            demo: false,
            limits: Limits::default(),
            sweep_interval: Duration::from_secs(30),
            webhooks: WebhookSettings::default(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |set: bool| if set { Some("<redacted>") } else { None };
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("widget_dir", &self.widget_dir)
            .field("database_url", &redact(self.database_url.is_some()))
            .field("storage_url", &self.storage_url)
            .field("operator_key", &redact(self.operator_key.is_some()))
            .field("demo", &self.demo)
            .field("limits", &self.limits)
            .field("sweep_interval", &self.sweep_interval)
            .field("webhooks", &self.webhooks)
            .finish()
    }
}

/// Creates the data directory readable by its owner only (it holds personal data and
/// keys); an existing directory keeps the permissions its operator chose.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = Config {
            database_url: Some("postgres://u:hunter2@db/x".into()),
            operator_key: Some("op-secret".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("op-secret"));
        assert!(shown.contains("<redacted>"));
    }
}
