"""Shared building blocks: settings, the ports (interfaces) adapters implement, our own small types."""
