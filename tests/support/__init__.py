"""Helpers the test modules share (database set-up, HTTP forms, routes); factories that create
rows live in ``tests/factories``. Test modules import from here, never from each other."""
