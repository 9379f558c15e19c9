//! Wire types of `shared/spec/session-protocol.md`, shared by the widget and the server
//! so that the two cannot drift.

mod ids;

pub use ids::{IdError, SessionId};
