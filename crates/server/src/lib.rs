//! `flow-server`: the session server of `shared/spec/session-protocol.md`.
//!
//! Layers, data flowing one way: `http` (thin axum handlers, CORS, errors to JSON) →
//! `domain` (flows, statuses, captures, evaluation, results, webhooks, retention) →
//! `store` (SQL through sqlx; capture bytes through object_store). The demo host in
//! `demo` is a separate client of the REST API, as an integrator's backend would be.
// Slice indexing can panic on input; tests may index what they just built.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod state;
pub mod store;

pub use config::Config;
pub use error::{Error, Result};
pub use http::{app, serve};
pub use state::AppState;
