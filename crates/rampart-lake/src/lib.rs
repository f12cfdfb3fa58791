//! rampart-lake
