//! flow-widget: the identity-verification widget, mounted into a host page's element.
//!
//! Data flows one way: options → mount (`js_api`) → session bootstrap (`session`) →
//! the user's path (`flow`, shown by `ui`): camera frame → analysis and capture
//! (`capture`, with `guidance`) → upload queue (`upload`) → server. `i18n` holds the
//! languages and `browser` wraps the browser APIs.

mod browser;
mod capture;
mod flow;
mod guidance;
pub mod i18n;
pub mod js_api;
mod options;
mod session;
mod ui;
mod upload;
