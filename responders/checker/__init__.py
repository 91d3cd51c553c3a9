"""The reply-draft checker: rules per language that flag what an agent's draft should not say."""
