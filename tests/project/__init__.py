"""Tests that keep the project honest with itself: architecture, documentation, packaging."""
