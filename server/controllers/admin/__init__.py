"""Administrators' pages: staff accounts, the audit log and retention."""
