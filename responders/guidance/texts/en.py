"""English guidance texts."""

from __future__ import annotations

TEXTS: dict[str, object] = {
    "standard": [
        "Read the review and the reply already posted; write down, in one sentence, what upset {name} most.",
        "Contact {name} personally, in the channel {source} allows, before {due}.",
        'Open by saying what you understood went wrong and check it: "Did I get this right: ...?" Then let '
        "them talk without interrupting or defending the company.",
        "Show that you understand how it felt, in your own words, and use their name.",
        "Say what you can do, not what you cannot. Offer only what you are sure can be delivered; check with "
        "the team that owns the fix first.",
        'Agree one next step with a time (for example "I will call you back by 6 pm today") and record it in '
        "the task. If it slips, tell {name} before the deadline, give the new time and thank them for waiting.",
        "Close the task with the outcome once the agreed step is done.",
    ],
    "abusive": [
        "Do not answer insults, in public or in private. Keep a calm, business-like tone.",
        "Set the ground rules once: you want to solve the problem and will continue as soon as it can be "
        "discussed without insults.",
        "Move the case to a formal written channel: ask {name} to describe the case with any evidence by email "
        "to the company address, and confirm when they will hear back.",
        "Summarise the complaint back without judgement and ask whether the summary is accurate.",
    ],
    "legal": [
        "Hold: do not post a public reply and do not contact {name} yet.",
        "Escalate today to a manager and the legal contact, with the review link and the reply already posted; "
        "note in the task who was told and when.",
        "Wait for written clearance before any contact; do not admit liability or promise anything meanwhile.",
    ],
    "legal_then": "After written clearance, continue with the steps for: {variants}.",
    "regulator": [
        "Hold: do not post a public reply and do not contact {name} until the case is cleared; the complaint has "
        "gone, or may go, to a regulator or ombudsman.",
        "Today, tell a manager and the person who answers regulators and ombudsmen (compliance or the complaints "
        "office), with the review link and the reply already posted; note in the task who was told and when.",
        "Put the case history together for them: what the customer bought or used, every contact with its date, "
        "what was promised and what was done. A regulator or ombudsman will ask for it, usually with a deadline.",
        "Wait for written clearance before any contact or public reply; admit nothing and promise nothing meanwhile.",
    ],
    "fraud": [
        "Treat this as urgent: pass it today to the fraud or security team with the review link, and ask whether "
        "the account, card or line must be blocked or secured now.",
        "When you contact {name}, use a channel where you can check you are talking to the right person, never the "
        "public reply; check their identity before discussing the account.",
        "Never ask for passwords, PINs, one-time codes or full card numbers, and tell the customer the company will "
        "never ask for them either.",
        "Explain what happens next: the reference of the fraud case, who handles it and when the customer will hear "
        "back; write the same into the task.",
    ],
    "fraud_in_hold": (
        "Meanwhile, without contacting {name}: ask the fraud or security team today whether the account, card or "
        "line must be blocked or secured."
    ),
    "repeat_complainer": [
        "Read the reviewer's {count} other reviews first: treat this as one ongoing relationship, not a new case.",
        "Mention that you know about the earlier problem if it is relevant, and keep one owner for all of it.",
    ],
    "template_reply": [
        "The public reply {name} got was a standard text (posted {n} times). Say so honestly: it did not "
        "answer their case, and you are contacting them to do that now.",
        "Do not paste another standard reply; write about their case.",
    ],
    "theme_fixed": [
        'The problem {name} described ("{theme}") has since been fixed. Contact them to thank them: their '
        "complaint helped make the change.",
        "Tell them concretely what changed and from when; a small thank-you gesture is fine, a discount code "
        "alone is not the point.",
    ],
    "avoid": [
        "Copying a standard reply or one you sent before.",
        'A reflex "sorry for the inconvenience"; if you apologise, say for what.',
        'Blaming colleagues, other departments, suppliers, couriers, partners or "the system".',
        'Doubting the customer\'s account ("according to our records you...") or blaming them.',
        "Promising refunds, dates or compensation that are not confirmed.",
        "Asking the customer to change, remove or reconsider their review or rating.",
    ],
    "avoid_abusive": ["Arguing back, or matching the customer's tone."],
    "avoid_regulator": [
        "Asking or nudging the reviewer to withdraw a complaint to a regulator or ombudsman, or making an offer "
        "depend on it.",
    ],
    "avoid_fraud": [
        "Asking for passwords, PINs, one-time codes or full card numbers, in any channel.",
        "Naming amounts, transactions or account details in a public reply.",
    ],
    "avoid_legal": ["Any public reply, admission of fault or offer before legal clearance."],
    "labels": {
        "reviewer": "Reviewer",
        "rating": "Rating",
        "title": "Review title",
        "review": "Review",
        "source": "Site",
        "link": "Review link",
        "reply": "Reply already posted",
        "template": "Was it a template?",
        "other_reviews": "Other reviews by this reviewer",
        "specifics": "What they wrote about",
        "due": "First contact due",
        "theme": "Fixed complaint theme",
    },
    "template_yes": "yes, posted {n} times",
    "template_yes_unknown": "yes",
    "no": "no",
    "none": "none",
    "the_reviewer": "the reviewer",
    "the_site": "the review site",
    "soon": "the due time",
    "variant_names": {
        "fraud": "the fraud report",
        "abusive": "the abusive review",
        "repeat_complainer": "the repeat reviewer",
        "template_reply": "the earlier template reply",
        "theme_fixed": "the fixed complaint theme",
    },
}
