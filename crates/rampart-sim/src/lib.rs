//! rampart-sim
