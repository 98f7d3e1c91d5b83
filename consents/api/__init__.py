"""The HTTP API for the website and the newsletter tool (docs/api.md)."""
