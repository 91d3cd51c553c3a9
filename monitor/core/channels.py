"""How a site lets a company reach the people who review it: the reply channel each source kind declares.

Sources declare their channel (`sources.base.Source.channel`); the guidance receives it as a plain value from the
caller that knows the source kind, so what it tells an agent to do is something the site really allows:

- `public_reply_only`: the company can answer only in public, under the review (app stores, Google Business
  Profile): nobody has the reviewer's e-mail address or phone number.
- `public_reply_and_private_message`: besides the public reply, the site carries private messages to the reviewer
  (a review thread with private replies, a "contact the reviewer" function).
- `no_reply_channel`: the company cannot answer on the site at all.
- `unknown`: a generic adapter (structured data, CSS selectors, feeds, export files) that cannot tell.
"""

from __future__ import annotations

__all__ = [
    "CHANNELS",
    "NO_REPLY_CHANNEL",
    "PUBLIC_REPLY_AND_PRIVATE_MESSAGE",
    "PUBLIC_REPLY_ONLY",
    "UNKNOWN_CHANNEL",
]

PUBLIC_REPLY_ONLY = "public_reply_only"
PUBLIC_REPLY_AND_PRIVATE_MESSAGE = "public_reply_and_private_message"
NO_REPLY_CHANNEL = "no_reply_channel"
UNKNOWN_CHANNEL = "unknown"
CHANNELS: tuple[str, ...] = (PUBLIC_REPLY_ONLY, PUBLIC_REPLY_AND_PRIVATE_MESSAGE, NO_REPLY_CHANNEL, UNKNOWN_CHANNEL)
