"""Complaint lexicons, one data file per language, and the matcher that scores a text against them.

File format (``<code>.txt``, UTF-8): ``# comment`` lines, ``[section]`` headers, then one term per line with an
optional weight after the last space. ``word*`` matches any word starting with ``word`` (stems for inflected
languages); several words form a phrase; ``_`` in a phrase stands for any one word. Terms are matched after
lower-casing and folding diacritics, so ``pessimo`` finds ``péssimo``.

Flag sections: ``[legal]`` threats of legal action ("sue", "lawsuit", "small claims"); ``[legal_context]`` legal
words that count only in a complaint ("my lawyer"); ``[regulator]`` ombudsmen and consumer bodies in general words,
a complaint wherever a complaint names them; ``[authority]`` regulators and authorities in general words, a
complaint only beside a word of ``[escalation]`` ("report", "complaint") or a verb of ``[motion]`` leading to them
through ``[directions]`` and ``[determiners]`` ("take this to the regulator"), never after a word of
``[licensing]`` ("licensed by the central bank"); named bodies are in ``monitor/text/regulators.txt``. ``[fraud]``
reports of fraud, scams, theft and unauthorised charges; ``[fraud_guards]`` words that turn a nearby fraud word
into praise of protection ("fraud protection", "anti-scam"); ``[doubts]`` and ``[denials]`` a suspicion taken
back ("I thought it was a scam but...") and a question answered no ("Is it a scam? No."). ``[names]`` are flag
words that are also given names: capitalised, they count only inside a phrase ("Sue them", not "Sue at the
branch"). A negated legal or fraud term ("not a scam") counts for nothing, and a flag-section term weighted 0 only
keeps its words from being read as that flag ("food court", "consumer protection act").

Text is read through ``normalise_text`` (NFKC, format characters dropped) before it is cut into words.
"""

from __future__ import annotations

from monitor.text.lexicons.lexicon import COMPANIONS, LANGUAGES, Lexicon, load, parse, plan
from monitor.text.lexicons.normal import normalise_text
from monitor.text.lexicons.scoring import TextScore, escalates_to, score_text
from monitor.text.words import fold, tokenize

__all__ = [
    "COMPANIONS",
    "LANGUAGES",
    "Lexicon",
    "TextScore",
    "escalates_to",
    "fold",
    "load",
    "normalise_text",
    "parse",
    "plan",
    "score_text",
    "tokenize",
]
