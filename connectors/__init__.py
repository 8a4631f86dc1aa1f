"""Production adapters for external systems (Pureservice, Microsoft Graph, OpenAI-compatible LLMs)."""
