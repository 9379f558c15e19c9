//! The vision core: capture quality and MRZ reading, shared by the widget (wasm32) and
//! the server (native). Pure computation: no I/O, no clock, no platform dependencies.
#![forbid(unsafe_code)]
