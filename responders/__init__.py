"""Everything about responses: template-reply detection, the outreach queue, guidance and the reply checker."""
