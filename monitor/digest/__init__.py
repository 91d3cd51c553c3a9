"""The daily digest: what happened for a company, rendered as HTML and text, delivered by e-mail; instant alerts."""
