"""Template-reply detection: normalisation, MinHash clustering, skeletons, the incremental index and its store."""
