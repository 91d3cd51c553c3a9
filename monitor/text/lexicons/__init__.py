"""Complaint lexicons, one data file per language, and the matcher that scores a text against them.

File format (``<code>.txt``, UTF-8): ``# comment`` lines, ``[section]`` headers, then one term per line with an
optional weight after the last space. ``word*`` matches any word starting with ``word`` (stems for inflected
languages); several words form a phrase; ``_`` in a phrase stands for any one word. Terms are matched after
lower-casing and folding diacritics, so ``pessimo`` finds ``péssimo``.

Flag sections: ``[legal]`` threats of legal action ("sue", "lawsuit", "small claims"); ``[legal_context]`` legal
words that count only in a complaint ("my lawyer"); ``[regulator]`` regulators, ombudsmen and consumer bodies in
general words (named bodies are in ``monitor/text/regulators.txt``); ``[fraud]`` reports of fraud, scams, theft
and unauthorised charges; ``[fraud_guards]`` words that turn a nearby fraud word into praise of protection
("fraud protection", "blocked a fraudulent payment"). A negated legal or fraud term ("not a scam") counts for nothing,
and a flag-section term weighted 0 only keeps its words from being read as that flag ("food court", "consumer
protection act").
"""

from __future__ import annotations

from monitor.text.lexicons.lexicon import COMPANIONS, LANGUAGES, Lexicon, load, parse, plan
from monitor.text.lexicons.scoring import TextScore, score_text
from monitor.text.words import fold, tokenize

__all__ = [
    "COMPANIONS",
    "LANGUAGES",
    "Lexicon",
    "TextScore",
    "fold",
    "load",
    "parse",
    "plan",
    "score_text",
    "tokenize",
]
