//! EVTX corpus tests.
