"""Offline language detection for short review texts: script first, then word and letter profiles."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["SUPPORTED", "detect_language"]

# Non-Latin scripts decide the language on their own (ranges are Unicode blocks).
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "he"),
    (0xFB1D, 0xFB4F, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0xFB50, 0xFDFF, "ar"),
    (0xFE70, 0xFEFF, "ar"),
    (0x0400, 0x04FF, "ru"),
    (0x0370, 0x03FF, "el"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
    (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x4E00, 0x9FFF, "zh"),
)

# Letters that only (or mostly) one language of interest writes; weight per occurrence.
_LETTER_HINTS: dict[str, dict[str, float]] = {
    "ľ": {"sk": 2.0},
    "ĺ": {"sk": 2.0},
    "ŕ": {"sk": 2.0},
    "ô": {"sk": 1.0, "fr": 0.5, "pt": 0.5},
    "ď": {"sk": 1.5},
    "ť": {"sk": 1.5},
    "ň": {"sk": 1.5},
    "č": {"sk": 1.0},
    "š": {"sk": 1.0},
    "ž": {"sk": 1.0},
    "ý": {"sk": 0.7},
    "ă": {"ro": 2.0},
    "ș": {"ro": 2.0},
    "ş": {"tr": 1.5, "ro": 1.0},
    "ț": {"ro": 2.0},
    "ţ": {"ro": 2.0},
    "î": {"ro": 1.0, "fr": 0.4},
    "â": {"ro": 0.6, "pt": 0.4, "fr": 0.3},
    "ğ": {"tr": 2.0},
    "ı": {"tr": 2.0},
    "ç": {"tr": 0.5, "pt": 0.5, "fr": 0.5},
    "ö": {"fi": 0.5, "de": 0.5, "tr": 0.5},
    "ü": {"de": 0.7, "tr": 0.7},
    "ä": {"fi": 0.8, "de": 0.6, "sk": 0.3},
    "ß": {"de": 2.0},
    "ã": {"pt": 2.0},
    "õ": {"pt": 2.0},
    "ê": {"pt": 0.6, "fr": 0.6},
    "ñ": {"es": 2.0},
    "¿": {"es": 2.0},
    "¡": {"es": 2.0},
    "è": {"fr": 1.0},
    "à": {"fr": 0.7, "pt": 0.3},
    "œ": {"fr": 2.0},
    "ù": {"fr": 1.0},
}

# Frequent function words (and a few review staples) per Latin-script language.
_STOPWORDS: dict[str, str] = {
    "en": """the and is it to of this that for with was my you are but have they not very i me be on at so
        can just what when your all from there their been were had has will would don't it's i'm dont im
        even after because why how get got only about more than if or an any which also good great nice bad
        worst best excellent service driver drivers ride rides easy love always never please thanks thank
        customer app's useless really should could""",
    "sk": """a je to na sa v som že ale aj by so mi ma ste sme nie len už ako čo keď pri pre ktorý ktorá
        ktoré veľmi vôbec aplikácia aplikáciu aplikácie nefunguje funguje dobrá dobre zlé zlá ďakujem
        všetko stále jej jeho bol bola bolo mám máte sú tak tu ešte lebo iba ani bez preto""",
    "ro": """și si este nu să sa în pe la cu de un o că ca mai foarte pentru am ai fost sunt din care sau
        dar doar tot aplicația aplicatia aplicatie aplicație bună buna bun rău rau cel cea mult nici
        când cand ce asta acest această aceasta lui ei meu mea vă va vreau""",
    "fi": """ja on ei se en että mutta kun oli tämä ole olen hyvä kiitos todella erittäin myös niin jo
        kuin mitä vain sovellus sovelluksen toimii toimi huono hyvin ihan aina koska voi pitää tai
        minä mä sitten vielä nyt kyllä eikä kanssa""",
    "tr": """ve bir bu çok için ile da de ama gibi daha ben sen o ne var yok değil mi mı en uygulama
        uygulaması güzel iyi kötü berbat teşekkürler teşekkür ederim şoför hiç her bana beni
        neden sonra kadar şey olarak olan diye""",
    "de": """der die das und ist nicht ich es zu sie mit sich den ein eine auf für von dem im auch aber
        wie noch nur sehr wenn war man kann schon mir mich wir gut schlecht app funktioniert keine kein
        immer bei nach oder dass leider fahrer""",
    "pt": """de e o a que não nao é um uma para com os as no na muito mais do da mas por foi eu se
        aplicativo app bom boa ótimo otimo péssimo pessimo motorista sempre nunca já ja está esta
        meu minha isso você voce pra são sao tem""",
    "es": """el la de que y en los las por con para una es muy pero lo más mas del al se su le ya
        aplicación aplicacion bueno buena malo mala pésimo pesimo excelente gracias siempre nunca
        conductor servicio también está esta cuando porque""",
    "fr": """le la les et est pas je de des un une que qui en du pour avec ce il elle sur très tres mais
        ne au aux application bien mauvais nul merci chauffeur toujours jamais c'est j'ai plus""",
}

SUPPORTED: frozenset[str] = frozenset(
    {lang for *_, lang in _SCRIPT_RANGES} | set(_STOPWORDS) | {"uk"},
)

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_UKRAINIAN_LETTERS = frozenset("іїєґ")
_PERSIAN_LETTERS = frozenset("پچژگ")
_MIN_EVIDENCE = 2.0


def _build_word_index(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for lang, words in table.items():
        for word in set(words.split()):
            index.setdefault(word, []).append(lang)
    return {word: tuple(langs) for word, langs in index.items()}


_WORD_INDEX = _build_word_index(_STOPWORDS)


def _script_of(char: str) -> str | None:
    code = ord(char)
    for low, high, lang in _SCRIPT_RANGES:
        if low <= code <= high:
            return lang
    return None


def _script_language(letters: Iterable[str]) -> tuple[str | None, int, int]:
    """The dominant non-Latin script's language, with that script's letter count and the Latin count."""
    counts: dict[str, int] = {}
    latin = 0
    for char in letters:
        if char.isascii() or "\u00c0" <= char <= "\u024f":
            latin += 1
            continue
        lang = _script_of(char)
        if lang is not None:
            counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None, 0, latin
    lang = max(counts, key=counts.__getitem__)
    # Japanese mixes kana with Han characters; any kana at all means Japanese.
    if lang == "zh" and counts.get("ja"):
        lang = "ja"
    return lang, counts[lang], latin


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or ambiguous."""
    lowered = text.replace("İ", "i").lower()
    letters = [char for char in lowered if char.isalpha()]
    if len(letters) < 2:
        return None
    script, script_count, latin = _script_language(letters)
    if script is not None and script_count >= max(2, latin):
        if script == "ru" and any(char in _UKRAINIAN_LETTERS for char in lowered):
            return "uk"
        if script == "ar" and any(char in _PERSIAN_LETTERS for char in lowered):
            return "fa"
        return script
    scores: dict[str, float] = {}
    for word in _WORD.findall(lowered):
        langs = _WORD_INDEX.get(word)
        if langs:
            # A word shared by several languages is weaker evidence for each of them.
            share = 1.0 / len(langs)
            for lang in langs:
                scores[lang] = scores.get(lang, 0.0) + share
    hint_totals: dict[str, float] = {}
    for char in lowered:
        hints = _LETTER_HINTS.get(char)
        if hints:
            for lang, weight in hints.items():
                hint_totals[lang] = hint_totals.get(lang, 0.0) + weight
    for lang, total in hint_totals.items():
        # Capped so a single long word full of accents cannot outvote the vocabulary.
        scores[lang] = scores.get(lang, 0.0) + min(total, 3.0)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_lang, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < _MIN_EVIDENCE or best < runner_up * 1.4 or best - runner_up < 0.75:
        return None
    return best_lang
