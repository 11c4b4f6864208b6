"""Acme Shop payments service."""
