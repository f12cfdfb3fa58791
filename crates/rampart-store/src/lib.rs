//! rampart-store
