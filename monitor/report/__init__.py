"""Reports for reputation managers: complaints, answers, template share, ratings and the queue over a range of days."""
