#![no_main]
//! Fuzz target: see `bodies::config`.

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::config(data));
