//! flow-widget: the identity-verification widget, mounted into a host page's element.
//!
//! Data flows one way: options → mount (`js_api`) → session bootstrap (`session`) →
//! UI (`ui`), with `i18n` for the languages and `browser` wrapping the browser APIs.

mod browser;
pub mod i18n;
pub mod js_api;
mod options;
mod session;
mod ui;
