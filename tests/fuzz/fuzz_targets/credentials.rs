#![no_main]
//! Fuzz target: see `bodies::credentials`.

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::credentials(data));
