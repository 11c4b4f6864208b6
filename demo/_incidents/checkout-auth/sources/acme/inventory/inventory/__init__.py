"""Acme Shop inventory service."""
