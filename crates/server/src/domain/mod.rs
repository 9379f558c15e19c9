//! The rules of the service, between the HTTP handlers and the store: flows, the
//! session status machine, captures and their verdicts, evaluation, results, media
//! links, webhooks and retention.

pub mod capture;
pub mod evaluate;
pub mod flows;
pub mod media;
pub mod results;
pub mod retention;
pub mod sessions;
pub mod steps;
pub mod webhooks;
