//! Contract tests of `shared/spec/session-protocol.md`: every endpoint and transition,
//! the bad-input matrix (each a clear 4xx in the spec's shape, with no state change),
//! a crash between the capture write and the commit, webhooks checked by an
//! independent signature computation, the hosted pages and the demo host.

// Tests may panic on what they just built; the lints guard the server, not its tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::type_complexity
)]

mod captures;
mod common;
mod demo;
mod evaluation;
mod flows;
mod frames;
mod pages;
mod retention;
mod reviews;
mod sessions;
mod webhooks;
