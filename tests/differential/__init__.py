"""Differential tests: our parsers against independent, well-kept parsers (issue 17, item 1)."""
