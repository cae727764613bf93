"""Contract testing helpers: request signers and schemathesis hooks (needs the dev dependencies)."""
