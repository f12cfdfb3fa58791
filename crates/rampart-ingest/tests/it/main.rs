//! Integration tests of rampart-ingest that read files (the shared corpora).

mod evtx;
