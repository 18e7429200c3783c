"""Hardening tests: fuzzing every parser and sniffer, hostile archives and files, no network."""
