//! The integration tests, as one binary: each module below starts real servers on port 0 (or runs
//! the real `emsp` binary) and speaks to them over the wire. One binary links the server once.
// Helpers outside `#[test]` functions may expect too: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[macro_use]
mod helpers;

mod cli;
mod connections;
mod crash;
mod foundation;
mod graphql;
mod layers;
mod ocpi;
mod ocpp;
mod outages;
mod portal;
mod rest;
