"""Export files: the known layouts, how one cell is read, and each file's day/month order."""
