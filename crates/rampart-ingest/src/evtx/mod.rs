//! Windows event logs (EVTX) mapped onto Defender tables. See `docs/mappings/evtx.md`.
