"""What every front end needs: the application context (settings, database) and console output."""
