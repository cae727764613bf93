"""agent-api-emulator: an offline, wire-exact emulator of the cloud APIs that list AI-agent conversations."""

__version__ = "0.1.0"
