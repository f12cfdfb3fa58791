//! End-to-end tests of the `rampart` binary: each runs the real executable as a user
//! or a script would, on temporary data directories.

mod cli;
mod crash;
mod files;
mod util;
