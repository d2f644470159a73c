"""Residents' data rights: their private "Your information" pages, and officers answering subject access requests."""
