"""The web app for support staff and managers (task board, task pages, manager pages) and the JSON API."""
