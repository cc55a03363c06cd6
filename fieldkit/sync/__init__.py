"""Sync: the outbox that sends queued dossiers to the portal (or a hub) exactly once, and brings back their
MaHoSo and status; the protocol client, the credentials kept in the OS keyring, the connectivity watcher."""
