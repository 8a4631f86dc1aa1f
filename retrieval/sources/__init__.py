"""Document sources: each yields SourceDocuments for the index (see retrieval.model.DocumentSource)."""
