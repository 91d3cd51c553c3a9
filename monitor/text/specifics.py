"""The specifics of a complaint an agent must answer: amounts of money, dates, reference numbers, what is asked for.

A personal reply names what the reviewer wrote about ("the R1,499 charged twice on 3 March, ref 88412"); a pasted
one does not. Amounts are found in every common notation (R 1,500 · $20 · 1.500,00 € · ₹2,999 · Rp 150.000 · 20 EUR),
dates as written (3 March, March 3rd, 03/03/2025, 2025-03-03), references after a word that announces one (order,
ref, ticket, case, invoice, booking, tracking, account; and their Spanish, French, German, Portuguese, Indonesian
and Afrikaans forms) or after `#`. What is asked for is read from words in English, Spanish, French, German,
Portuguese, Indonesian and Malay; other languages get amounts, dates and references only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Specifics", "find_specifics"]

_CURRENCY = (
    r"R\$|US\$|A\$|C\$|NZ\$|S\$|HK\$|\$|€|£|¥|₹|₱|₦|₩|₺|₫|฿|"
    r"\b(?:ZAR|USD|EUR|GBP|INR|PHP|IDR|MYR|SGD|AUD|CAD|NGN|KES|Rs\.?|Rp\.?|RM|R)"
)
_NUMBER = r"\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?:(?<![\w$€£¥₹₱₦₩₺₫฿])(?:{_CURRENCY})\s?(?:{_NUMBER})(?!\d))"
    rf"|(?:(?<![\d.,])(?:{_NUMBER})\s?(?:€|£|₹|₫|฿|\b(?:ZAR|USD|EUR|GBP|INR|PHP|IDR|MYR|SGD|AUD|CAD|rand|euros?|dollars?|"
    rf"pesos?|rupees?|ringgit|rupiah)\b))",
    re.I,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b\.?(?:\s+\d{{4}})?|"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?)",
    re.I,
)
_REFERENCE_WORDS = (
    r"order|ref(?:erence)?|ticket|case|invoice|booking|tracking|account|claim|transaction|complaint|"
    r"pedido|referencia|n[uú]mero|commande|r[ée]f[ée]rence|dossier|facture|bestellung|rechnung|auftrag|"
    r"pesanan|tiket|nomor|bestelling|verwysing|rekening"
)
_REFERENCE = re.compile(
    rf"\b(?:{_REFERENCE_WORDS})\b\.?\s*(?:(?:no|nr|num(?:ber)?|number|id)\b\.?\s*)?[:#]?\s*([A-Z0-9][A-Z0-9-]{{3,}})"
    r"|#([A-Z0-9-]*\d[A-Z0-9-]{2,})",
    re.I,
)
# What the reviewer asks for, by the words that ask for it (stems, matched at the start of a word).
_ASKS = {
    "a refund": (
        "refund",
        "money back",
        "reimburse",
        "reembolso",
        "devolución",
        "rembourse",
        "erstattung",
        "zurückerstatt",
        "pengembalian dana",
        "bayar balik",
        "terugbetal",
    ),
    "a cancellation": ("cancel", "cancelar", "cancelación", "annuler", "annulation", "kündig", "storn", "batal"),
    "a call back": ("call me", "call back", "phone me", "llamen", "rappel", "rückruf", "hubungi saya", "telefoneer"),
    "a replacement": ("replace", "replacement", "reemplaz", "remplac", "ersatz", "umtausch", "ganti"),
    "compensation": ("compensat", "compensación", "indemni", "entschädig", "ganti rugi", "pampasan"),
    "an explanation": ("explain", "explanation", "why", "explicación", "expliqu", "erklär", "jelaskan", "kenapa"),
    "a fix": ("fix", "repair", "resolve", "sort it out", "arregl", "répar", "repari", "beheben", "perbaiki"),
    "delivery": ("deliver my", "where is my", "still waiting for", "entreg", "livraison", "liefer", "kirim"),
}
_ASK_PATTERNS = {
    label: re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")", re.I)
    for label, words in _ASKS.items()
}
_MAX_EACH = 4


@dataclass(frozen=True)
class Specifics:
    """What one complaint names, each list in the order written, without repeats."""

    amounts: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.amounts or self.dates or self.references or self.asks)


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        key = " ".join(value.split()).casefold()
        seen.setdefault(key, " ".join(value.split()))
    return list(seen.values())[:_MAX_EACH]


def find_specifics(text: str) -> Specifics:
    """The amounts, dates, references and asks of a complaint's text."""
    amounts = [m.group(0) for m in _AMOUNT.finditer(text)]
    dates = [m.group(0) for m in _DATE.finditer(text)]
    references = [m.group(1) or m.group(2) for m in _REFERENCE.finditer(text)]
    # A reference is never an amount or a date read again ("order 2024-03-03").
    taken = " ".join(amounts + dates)
    references = [r for r in references if any(c.isdigit() for c in r) and r not in taken]
    asks = [label for label, pattern in _ASK_PATTERNS.items() if pattern.search(text)]
    return Specifics(_unique(amounts), _unique(dates), _unique(references), asks[:_MAX_EACH])
