#![no_main]
//! Fuzz target: see `bodies::paths`.

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::paths(data));
