//! What every handler and worker shares: configuration, store, capture storage, clock,
//! media key, analysers, the outgoing HTTP client and the webhook worker's wake-up.

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::capture::Analyzers;
use crate::domain::media::MediaKey;
use crate::error::{Error, Result};
use crate::store::{Blobs, Store};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub blobs: Blobs,
    pub clock: Arc<dyn Clock>,
    pub media_key: MediaKey,
    pub analyzers: Arc<Analyzers>,
    /// Outgoing requests (webhooks): rustls, no redirects followed.
    pub http: reqwest::Client,
    pub webhook_wake: Notify,
    #[doc(hidden)]
    pub hooks: Hooks,
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the database (migrating it), the capture storage and the media key.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> Result<AppState> {
        crate::config::private_dir(&config.data_dir)?;
        let store = Store::open(config.database_url.as_deref(), &config.data_dir).await?;
        let blobs = Blobs::open(config.storage_url.as_deref(), &config.data_dir)?;
        let media_key = MediaKey::load_or_create(&config.data_dir)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("flow-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::internal)?;
        Ok(AppState(Arc::new(Inner {
            config,
            store,
            blobs,
            clock,
            media_key,
            analyzers: Arc::new(Analyzers::new(cores)),
            http,
            webhook_wake: Notify::new(),
            hooks: Hooks::default(),
        })))
    }

    /// Tells the webhook worker that messages were queued.
    pub fn wake_webhooks(&self) {
        self.webhook_wake.notify_one();
    }
}

/// Fault injection for tests: simulate a crash at a named point, once; or hold a
/// request at a named point until the test lets it go, once.
#[doc(hidden)]
#[derive(Default)]
pub struct Hooks {
    crash_at: Mutex<Option<&'static str>>,
    pause_at: Mutex<Option<Pause>>,
}

/// An armed pause: `reached` is signalled when a request arrives, which then waits
/// for `release`.
#[doc(hidden)]
#[derive(Clone)]
pub struct Pause {
    pub point: &'static str,
    pub reached: Arc<Notify>,
    pub release: Arc<Notify>,
}

impl Hooks {
    /// Arms a pause at `point` (for the next request that passes it).
    pub fn pause_once_at(&self, point: &'static str) -> Pause {
        let pause = Pause {
            point,
            reached: Arc::new(Notify::new()),
            release: Arc::new(Notify::new()),
        };
        if let Ok(mut at) = self.pause_at.lock() {
            *at = Some(pause.clone());
        }
        pause
    }

    /// Waits here if a pause is armed at this point.
    pub async fn pause_point(&self, point: &'static str) {
        let armed = self
            .pause_at
            .lock()
            .ok()
            .and_then(|mut at| at.take_if(|p| p.point == point));
        if let Some(pause) = armed {
            pause.reached.notify_one();
            pause.release.notified().await;
        }
    }

    pub fn crash_once_at(&self, point: &'static str) {
        if let Ok(mut at) = self.crash_at.lock() {
            *at = Some(point);
        }
    }

    /// Fails (as a crash would, with nothing after this point done) if armed here.
    pub fn crash_point(&self, point: &'static str) -> Result<()> {
        let armed = self
            .crash_at
            .lock()
            .map(|mut at| at.take_if(|p| *p == point).is_some())
            .unwrap_or(false);
        if armed {
            return Err(Error::Internal(format!("simulated crash at {point}")));
        }
        Ok(())
    }
}
