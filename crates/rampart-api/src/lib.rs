//! rampart-api
