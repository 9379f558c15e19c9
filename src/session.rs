//! The widget's session: its bootstrap from the session server, with retries on network
//! failure, and the errors a host page and an end user can be told about.

use flow_protocol::Bootstrap;
use flow_protocol::SessionId;

use crate::browser::fetch::{self, FetchError};
use crate::browser::timer;

/// Waits between bootstrap attempts after a network failure (then it gives up).
const RETRY_DELAYS_MS: [i32; 3] = [500, 1500, 3000];

/// Why the widget cannot run the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BootError {
    NotFound,
    Closed,
    Network(String),
    /// The server answered something this widget does not understand.
    Internal(String),
}

impl BootError {
    /// The `flow:error` type of the spec.
    pub fn event_type(&self) -> &'static str {
        match self {
            BootError::NotFound => "session_not_found",
            BootError::Closed => "session_closed",
            BootError::Network(_) => "network",
            BootError::Internal(_) => "internal",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            BootError::NotFound => "unknown session".to_owned(),
            BootError::Closed => "the session is closed".to_owned(),
            BootError::Network(d) | BootError::Internal(d) => d.clone(),
        }
    }
}

/// `GET {api_base}/api/v1/widget/sessions/{id}`; network failures are retried.
pub async fn bootstrap(api_base: &str, id: &SessionId) -> Result<Bootstrap, BootError> {
    let url = format!(
        "{}/api/v1/widget/sessions/{id}",
        api_base.trim_end_matches('/')
    );
    let mut delays = RETRY_DELAYS_MS.iter();
    loop {
        match fetch::get_json::<Bootstrap>(&url).await {
            Ok(b) => return Ok(b),
            Err(FetchError::Status(404)) => return Err(BootError::NotFound),
            Err(FetchError::Status(410)) => return Err(BootError::Closed),
            Err(FetchError::Status(code)) if code < 500 => {
                return Err(BootError::Internal(format!("bootstrap answered {code}")))
            }
            Err(FetchError::Body(d)) => return Err(BootError::Internal(d)),
            Err(FetchError::Status(code)) => match delays.next() {
                Some(&ms) => timer::sleep(ms).await,
                None => return Err(BootError::Network(format!("server error {code}"))),
            },
            Err(FetchError::Network(d)) => match delays.next() {
                Some(&ms) => timer::sleep(ms).await,
                None => return Err(BootError::Network(d)),
            },
        }
    }
}
