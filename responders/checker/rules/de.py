"""German reply-checker rules (a smaller set)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:(?:der|die|das|unser\w*)\s+)?(?:kurier\w*|paketdienst\w*|zusteller\w*|lieferant\w*|spediteur\w*|"
    r"partner\w*|lager\w*|fahrer\w*|(?:andere|zuständige)\w*\s+abteilung|kolleg\w*|system\w*|bank|post)"
)

RULES = LanguageRules(
    code="de",
    stopwords=(
        "der die das und oder aber ist sind war waren sein ein eine einen einem einer nicht kein keine wir ihr "
        "sie ich du uns unser unsere ihnen ihre mit von zu zum zur im in am an auf für bei aus nach über wie "
        "was wer wenn dass sehr auch noch schon nur so es sich haben hat hatte werden wird würde den dem des"
    ),
    courtesy=(
        "hallo guten tag liebe lieber geehrte geehrter grüße gruß freundlichen viele danke* dank* entschuldig* "
        "bedauer* leid unannehmlichkeit* ärger* problem* erfahrung* feedback* bewertung* rezension* kunde* "
        "kunden* service* team* verständnis* situation* wirklich aufrichtig"
    ),
    apology=(
        r"\b(?:es\s+)?tut\s+(?:uns|mir)\s+(?:sehr\s+|wirklich\s+|aufrichtig\s+)?leid\b",
        r"\b(?:wir\s+)?entschuldigen\s+(?:uns|mich)\b|\bentschuldigung\b",
        r"\bwir\s+bedauern\b",
    ),
    thanks=(r"\bdanke\b|\bvielen\s+dank\b|\bwir\s+danken\b|\bherzlichen\s+dank\b",),
    blame_shift=(
        _PARTY + r"\s+(?:ist|war)\s+(?:verantwortlich|schuld)\b",
        _PARTY + r"\s+(?:hat\s+)?(?:\w+\s+)?(?:vergessen|verloren|versäumt|einen\s+fehler\s+gemacht)\b",
        r"\b(?:wegen|aufgrund)\s+(?:des|der|eines|einer)\s+(?:kurier|paketdienst|lieferant|zusteller|system)\w*",
        r"\bnicht\s+unsere\s+schuld\b",
        r"\bwir\s+sind\s+(?:dafür\s+)?nicht\s+verantwortlich\b",
        r"\baußerhalb\s+unserer\s+kontrolle\b",
    ),
    questions_customer=(
        r"\blaut\s+(?:unseren\s+(?:unterlagen|daten|aufzeichnungen)|unserem\s+system)\b",
        r"\b(?:es\s+)?(?:gibt|liegt)\s+(?:uns\s+)?keinen\s+(?:eintrag|nachweis|vermerk)\b",
        r"\bsie\s+müssen\s+\w+\s+haben\b",
        r"\b(?:das\s+)?(?:ist|war)\s+ihre\s+(?:schuld|verantwortung)\b",
        r"\bsie\s+haben\s+(?:die\s+\w+\s+)?nicht\s+(?:gelesen|beachtet|geprüft)\b",
        r"\bdas\s+(?:ist\s+nicht\s+wahr|stimmt\s+nicht)\b",
        r"\bsie\s+wurden\s+(?:darüber\s+)?(?:informiert|hingewiesen)\b",
    ),
    next_step=(
        r"\bwir\s+(?:werden|melden|rufen|prüfen|kümmern|schicken|senden|klären)\b",
        r"\bich\s+(?:werde|melde|rufe|prüfe|kümmere|kläre)\b",
        r"\b(?:heute|morgen|bis\s+heute\s+abend|bis\s+(?:montag|dienstag|mittwoch|donnerstag|freitag)|"
        r"innerhalb\s+(?:von\s+)?\d+\s*(?:stunden|tagen|werktagen))\b",
    ),
    promise=(
        r"\bwir\s+(?:werden\s+)?(?:ihnen\s+)?(?:\w+\s+)?(?:erstatten|zurückerstatten|ersetzen|entschädigen|"
        r"gutschreiben)\b",
        r"\bsie\s+(?:erhalten|bekommen)\s+(?:\w+\s+){0,2}?(?:erstattung|geld|gutschein|gutschrift|entschädigung|"
        r"ersatz)\w*",
        r"\bihre\s+(?:bestellung|lieferung|erstattung|rückerstattung|gutschrift)\s+(?:\w+\s+)?(?:wird|kommt)\b",
    ),
    qualifier=(
        r"\bnach\s+(?:prüfung|bestätigung|freigabe)\b",
        r"\bsobald\s+(?:\w+\s+){0,3}(?:bestätigt|geprüft|freigegeben)",
        r"\b(?:falls|sofern|vorbehaltlich|ob)\b",
    ),
    review_change=(
        r"\b(?:bewertung|rezension|sterne)\w*\s+(?:\w+\s+){0,2}?(?:ändern|anpassen|löschen|entfernen|überdenken|"
        r"aktualisieren|zurückziehen)\b",
        r"\b(?:ändern|anpassen|löschen|entfernen|überdenken|aktualisieren)\s+sie\s+(?:bitte\s+)?(?:ihre|die)\s+"
        r"(?:bewertung|rezension)\b",
    ),
    filler=(
        r"\bwir\s+schätzen\s+ihr(?:e)?\s+(?:feedback|meinung|bewertung|rückmeldung)\b",
        r"\bihr\s+feedback\s+ist\s+(?:uns\s+)?(?:sehr\s+)?wichtig\b",
        r"\b(?:danke|vielen\s+dank)\s+für\s+(?:ihr\w*\s+|die\s+|das\s+)?(?:feedback|bewertung|rückmeldung|"
        r"rezension)\b",
        r"\bkundenzufriedenheit\s+(?:hat|ist)\s+(?:für\s+uns\s+)?(?:oberste|höchste)\s+priorität\b",
    ),
)
