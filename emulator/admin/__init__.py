"""The control plane under the reserved `/_emulator/` prefix."""
