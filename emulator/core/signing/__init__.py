"""Pure request-signing primitives for the emulated vendor APIs (stdlib only)."""
