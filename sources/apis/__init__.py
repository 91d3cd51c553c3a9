"""Official store APIs of a company's own apps and locations: every review with its current reply, and replying."""
