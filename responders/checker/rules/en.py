"""English reply-checker rules."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_NOUN = (
    r"(?:courier|delivery\s+(?:partner|company|driver|rider|agent)|driver"
    r"|rider|supplier|vendor|merchant|restaurant|partner|warehouse|shipping\s+(?:company|partner)"
    r"|third[- ]party|contractor|carrier|post\s+office|logistics\s+(?:partner|provider|company)|bank"
    r"|payment\s+(?:provider|gateway)|(?:other|another|a\s+different|the\s+relevant)\s+(?:department|team)"
    r"|(?:technical|IT|sales|billing|finance|dispatch)\s+(?:team|department)|colleague|staff\s+member"
    r"|employee|technician|system)"
)
_PARTY = r"(?:(?:our|the|a|this|that|your)\s+)?" + _NOUN + r"s?"
# Third parties a customer can be sent to instead of being helped ("please contact the restaurant directly").
_ELSEWHERE = (
    r"(?:them|the\s+(?:courier|restaurant|merchant|driver|rider|seller|supplier|vendor|bank|carrier|store|shop|"
    r"partner|manufacturer|post\s+office|(?:shipping|delivery|courier)\s+company)s?)(?!\s+(?:at|on|via|through)\b)"
)
_CONTACT = (
    r"(?:contact|call|phone|email|reach\s+out\s+to|get\s+in\s+touch\s+with|speak\s+to|talk\s+to|complain\s+to|"
    r"take\s+(?:it|this|that)\s+up\s+with|raise\s+(?:it|this)\s+with)"
)

RULES = LanguageRules(
    code="en",
    stopwords=(
        "the a an and or but of to in on at for with from by is are was were be been being am it its this that "
        "these those we i you your yours our us my me he she they them their there here as not no so if then "
        "than too very can could would should will shall may might must do does did done have has had having "
        "what which who whom when where why how all any some such just also only about into out up over again "
        "please let's let ur im i'm we're you're it's don't didn't can't won't we'll i'll we've i've"
    ),
    courtesy=(
        "hi hello hey dear good day morning afternoon evening regards warm kind best sincerely cheers team "
        "thank* thx appreciat* grateful sorry apolog* regret* inconvenien* trouble* issue* problem* experienc* "
        "feedback* review* rating* hear hearing heard caused cause concern* expectation* meet met standard* "
        "frustrat* disappoint* unpleasant bad way matter* situation* unfortunate* really truly deeply "
        "extremely greatly happened faced encounter* recent regarding hassle value* valuable important "
        "priority share sharing letting know take taking time understand* patience customer* service* "
        "assist* help* look looking forward note noted seem seems right feel want wish"
    ),
    apology=(
        r"\b(?:(?:we|i)(?:'re|'m|\s+are|\s+am)?\s+(?:(?:so|really|very|truly|deeply|terribly|extremely|sincerely)\s+)*)?"
        r"(?:sorry|apologi[sz]e|regret)\b",
        r"\b(?:(?:our|my)\s+(?:(?:sincere(?:st)?|deepest|humble)\s+)?)?apologies\b",
    ),
    thanks=(r"\bthank(?:s|\s+you)\b", r"\b(?:we|i)\s+(?:really\s+|truly\s+)?appreciate\b"),
    blame_shift=(
        _PARTY + r"\s+(?:was|were|is|are|has\s+been)\s+(?:responsible|at\s+fault|to\s+blame)",
        r"\b(?:caused|due|owing)\s+(?:by|to)\s+" + _PARTY + r"(?=[\s.,;!]|$)",
        _PARTY + r"\s+(?:failed|forgot|neglected|made\s+(?:a|an)\s+(?:mistake|error)|messed\s+up|lost|"
        r"mishandled|did\s+not|didn't)\b",
        r"\b(?:due\s+to|because\s+of|caused\s+by)\s+(?:a|an|the|some)?\s*(?:system|technical|IT)\s+"
        r"(?:error|glitch|issue|fault|failure|problem)s?",
        r"\b(?:is|was|are)\s+(?:handled|managed|the\s+responsibility)\s+(?:by|of)\s+(?:our|the|a|another)\s+\w+",
    ),
    deflection=(
        # "the courier's fault", "the fault lies with the restaurant", "..., not ours".
        r"\b(?:the|a|this|that|your)\s+" + _NOUN + r"(?:'s|s')\s+(?:own\s+)?(?:fault|mistake|error|responsibility)",
        r"\b(?:fault|blame|responsibility)\s+(?:lies|lay|is|was|rests)\s+(?:entirely\s+|solely\s+)?with\s+" + _PARTY,
        r"\bnot\s+(?:ours|on\s+our\s+(?:side|end))\b|(?<=,\s)not\s+us\b",
        r"\bnot\s+(?:our|my)\s+fault\b",
        r"\b(?:beyond|outside|out\s+of)\s+our\s+control\b",
        r"\b(?:we|i)\s+(?:are|were|am|was)\s+not\s+(?:responsible|liable|to\s+blame)\b",
        r"\b(?:please|kindly|you\s+(?:should|need\s+to|must|will\s+need\s+to|have\s+to|can|may|could|"
        r"might\s+want\s+to))\s+(?:(?:directly|also|first)\s+)?" + _CONTACT + r"\s+" + _ELSEWHERE,
        r"(?:^|(?<=[.!?]\s)|(?<=\n))" + _CONTACT + r"\s+" + _ELSEWHERE,
    ),
    questions_customer=(
        r"\baccording\s+to\s+(?:our|my|the)\s+(?:records|system|logs|data)\b",
        r"\b(?:our|the)\s+(?:records|system|logs)\s+(?:clearly\s+)?(?:show|indicate|confirm|state)s?\b",
        r"\bthere\s+(?:is|was)\s+no\s+record\b",
        r"\b(?:we|i)\s+(?:have\s+|could\s+)?(?:find|found)\s+no\s+(?:record|evidence|trace)\b",
        r"\byou\s+must\s+have\b",
        r"\byou\s+should\s+have\s+(?:read|checked|contacted|followed|known|noticed|called|asked|looked)\b",
        r"\b(?:it\s+is|it's|this\s+is|that\s+is)\s+your\s+(?:own\s+)?(?:responsibility|fault|mistake)\b",
        r"\byou\s+(?:failed|neglected)\s+to\b",
        r"\byou\s+(?:did\s+not|didn't)\s+(?:read|follow|check|provide|inform|mention)\b",
        r"\bas\s+(?:clearly\s+)?(?:stated|mentioned|explained)\s+in\s+(?:our|the)\s+(?:terms|policy|t&cs?|contract)\b",
        r"(?<!if\s)(?<!whether\s)\byou\s+were\s+(?:clearly\s+|already\s+)?(?:informed|told|advised|notified|warned)\b",
        r"\b(?:this|that|your\s+claim|your\s+statement)\s+is\s+(?:not\s+(?:true|correct|accurate)|untrue|false)\b",
        r"\bcontrary\s+to\s+(?:what\s+)?(?:you|your)\b",
        r"\b(?:issue|problem|error)\s+(?:is|was|lies)\s+(?:on|at)\s+your\s+(?:side|end)\b",
        r"\buser\s+error\b",
    ),
    next_step=(
        # Any subject: "we will call", "our support team will investigate", "the matter will be escalated".
        r"(?:'ll|\bwill|\bshall|\bare\s+going\s+to|\bam\s+going\s+to)\s+(?:\w+\s+){0,3}?(?:call|contact|phone|"
        r"ring|email|e-mail|message|text|reach|get\s+back|get\s+in\s+touch|be\s+in\s+touch|follow\s+up|look\s+into|"
        r"investigate|check|review|refund|replace|send|arrange|escalate|raise|update|fix|resolve|visit|credit|"
        r"reverse|process|speak|talk|make\s+contact|confirm|let\s+you\s+know|revert|refer|share|pass|forward|"
        r"activate|reset|cancel)\b",
        r"\b(?:expect|await)\s+(?:our|a)\s+(?:call|email|message|response|reply)\b",
        r"\b(?:we|i)(?:'re|'m|\s+are|\s+am)\s+(?:currently\s+|now\s+|already\s+)?(?:looking\s+into|investigating|"
        r"checking|working\s+on|following\s+up)\b",
        r"\bwill\s+be\s+(?:escalated|investigated|shared|passed|forwarded|looked\s+into|refunded|credited|resolved|"
        r"fixed|reviewed|in\s+touch|contacting|calling)\b",
        r"\b(?:i|we)\s*(?:have|'ve)\s+(?:already\s+|just\s+)?(?:escalated|raised|passed|forwarded|logged|opened|"
        r"refunded|credited|sent|arranged|booked|scheduled|asked|made\s+changes|reset|activated|fixed|resolved|"
        r"reversed|cancelled|updated)\b",
        r"\b(?:within|in\s+the\s+next|in)\s+(?:\d+|one|two|three|four|five|a\s+few|24|48)\s*(?:-\s*\d+\s*)?"
        r"(?:hours?|hrs?|days?|business\s+days|working\s+days|minutes|mins)\b",
        r"\b(?:today|tonight|tomorrow|this\s+(?:evening|afternoon|morning|week)|end\s+of\s+(?:the\s+)?(?:day|week))\b",
        r"\bby\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|\d)",
    ),
    promise=(
        r"\b(?:we|i)\s*(?:'ll|will|shall|are\s+going\s+to)\s+(?:\w+\s+){0,2}?(?:refund|reimburse|compensate|"
        r"credit|replace|deliver|ship|waive)\b",
        r"\byou(?:'ll|\s+will)\s+(?:\w+\s+){0,2}?(?:receive|get|be\s+(?:refunded|reimbursed|compensated|credited))"
        r"\s+(?:a\s+|your\s+|the\s+|full\s+|an?\s+)*(?:refund|money|voucher|compensation|credit|replacement|"
        r"order|parcel|package|delivery|reimbursement|discount)",
        r"\byour\s+(?:refund|money|order|parcel|package|delivery|replacement|compensation|voucher|credit)\s+"
        r"(?:will|should|is\s+going\s+to)\s+(?:be\s+)?(?:arrive|reach|delivered|processed|credited|refunded|"
        r"returned|back|issued|sent|with\s+you)",
        r"\b(?:a\s+|the\s+|full\s+)?(?:refund|compensation|reimbursement)\s+(?:will\s+be|is\s+being)\s+"
        r"(?:processed|issued|credited|paid|sent|made)",
    ),
    qualifier=(
        r"\bonce\s+(?:\w+\s+){0,3}?(?:confirm|approv|verif|check)",
        r"\bif\s+(?:you\s+are\s+|it\s+is\s+|it's\s+)?(?:eligible|approved|confirmed|applicable|possible)",
        r"\bif\s+(?:it\s+turns\s+out|we\s+find|our\s+check)",
        r"\bsubject\s+to\b",
        r"\b(?:attempt|try|aim|hope)\s+to\b",
        r"\bafter\s+(?:we|our|checking|verifying|verification|confirming|confirmation|review)",
        r"\bpending\b",
        r"\bwhether\b",
        r"\bprovided\s+(?:that\b)?",
        r"\b(?:we|i)(?:'ll|\s+will)\s+(?:first\s+)?(?:confirm|let\s+you\s+know|check)\b",
    ),
    review_change=(
        r"\b(?:update|change|edit|revise|amend|reconsider|remove|delete|take\s+down|withdraw|modify|raise|"
        r"increase|improve|upgrade|adjust|revisit|bump)\s+(?:your|the|this|that|ur)\s+(?:\w+\s+)?"
        r"(?:review|rating|comment|post|stars?|score)\b",
        r"\b(?:updating|changing|editing|revising|reconsidering|removing|deleting|taking\s+down|amending|"
        r"modifying|raising|increasing|improving|revisiting|withdrawing)\s+(?:your|the|this|that)\s+(?:\w+\s+)?"
        r"(?:review|rating|comment|post|stars?|score)\b",
        r"\b(?:give|giving|rate|rating)\s+us\s+(?:a\s+)?(?:\d|five|four|more|higher|better|another|full)\s*"
        r"-?\s*(?:stars?|star\s+rating|rating)\b",
        r"\b(?:review|rating)\s+(?:can\s+|could\s+)?(?:be\s+)?(?:updated|changed|removed|deleted|revised|"
        r"taken\s+down|amended|withdrawn)\b",
    ),
    filler=(
        r"\b(?:we|i)\s+(?:really\s+|truly\s+|greatly\s+|do\s+|always\s+)?(?:value|appreciate)\s+(?:your|all|the|any)"
        r"\s+(?:\w+\s+)?(?:feedback|review|comments?|input|opinion|business)\b",
        r"\byour\s+(?:feedback|opinion|review|satisfaction|business)\s+(?:is|are|means)\s+(?:very\s+|really\s+|"
        r"extremely\s+|so\s+)?(?:important|valuable|valued|a\s+lot)(?:\s+to\s+us)?",
        r"\bthank(?:s|\s+you)\s+for\s+(?:your|the|sharing\s+your|taking\s+the\s+time\s+to\s+\w+)\s+"
        r"(?:valuable\s+|kind\s+|honest\s+)?(?:feedback|review|comments?|input|rating)\b",
        r"\bcustomer\s+(?:satisfaction|experience|service)\s+is\s+(?:our\s+)?(?:top\s+|highest\s+|number\s+one\s+)?"
        r"(?:priority|important)",
        r"\bwe\s+(?:always\s+)?(?:strive|aim|endeavou?r|work\s+hard)\s+to\s+(?:provide|deliver|offer|give)\s+"
        r"(?:the\s+best|excellent|great|high[- ]quality|quality)(?:\s+\w+)?",
        r"\bwe\s+take\s+(?:all\s+)?(?:your\s+|customer\s+|such\s+)?(?:feedback|complaints?|concerns?|this)\s+"
        r"(?:very\s+)?seriously\b",
        r"\b(?:your\s+feedback\s+)?helps\s+us\s+(?:to\s+)?(?:improve|grow|get\s+better)\b",
    ),
)
