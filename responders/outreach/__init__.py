"""The outreach queue: one task per unhappy reviewer, deadlines, claims, the workflow and follow-ups."""
