//! The integration tests of rampart-kql (one binary): golden `.slt` files, the corpus
//! measurement, and API checks.

mod api;
mod bench;
mod corpus;
mod slt;
mod support;
