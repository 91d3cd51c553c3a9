"""Slovak reply-checker rules."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:kuriér\w*|dopravc\w*|dodávateľ\w*|partner\w*|sklad\w*|vodič\w*|(?:iné|iného|druhé|druhého)\s+"
    r"oddelen\w*|koleg\w*|systém\w*|bank[ay]|pošt[ay]|technik\w*)"
)

RULES = LanguageRules(
    code="sk",
    stopwords=(
        "a aj ale alebo ako ani že by bol bola bolo boli som si sme ste sú je byť to ten tá tie tej toho tom na "
        "v vo z zo s so do od pre pri po za k ku o u my vy vás váš vaša vaše vám nás náš naša naše nám ich jeho "
        "jej sa mi ma tak len už ešte keď čo kto ktorý ktorá ktoré veľmi nie áno tu tam aby teda"
    ),
    courtesy=(
        "dobrý deň ahoj vážený vážená pán pani ďakuj* vďak* poďakov* ospravedl* prepáčte mrzí ľutuj* nepríjemn* "
        "problém* skúsenos* spätn* väzb* hodnoten* recenzi* tím* pozdrav* pozdravom zákazn* služb* pomôc* pomoc* "
        "chápe* rozumie* situáci* záležitos* naozaj úprimne"
    ),
    apology=(
        r"\b(?:(?:veľmi|úprimne|naozaj)\s+)?(?:sa\s+)?(?:ospravedlňujeme|ospravedlňujem|ospravedlnenie|prepáčte)\b",
        r"\b(?:(?:veľmi|naozaj)\s+)?(?:nás|ma)\s+(?:to\s+)?(?:veľmi\s+|naozaj\s+)?mrzí\b",
        r"\bľutujeme\b",
    ),
    thanks=(r"\bďakujeme\b|\bďakujem\b|\bvďaka\b",),
    blame_shift=(
        _PARTY + r"\s+(?:je\s+|bol[aio]?\s+)?(?:zodpovedn\w*|na\s+vine|zlyhal\w*|zabudol\w*|zabudl\w*|pochybil\w*|"
        r"stratil\w*|nedoručil\w*)",
        r"\b(?:chyba|vina)\s+(?:je\s+|bola\s+)?(?:na\s+strane\s+)?" + _PARTY,
        r"\b(?:kvôli|vinou|spôsobil\w*)\s+(?:\w+\s+)?" + _PARTY,
        r"\bnie\s+je\s+(?:to\s+)?naša\s+(?:chyba|vina)\b",
        r"\bmimo\s+(?:našu|našej)\s+kontrol\w*",
        r"\bnie\s+sme\s+(?:za\s+to\s+)?zodpovední\b",
    ),
    questions_customer=(
        r"\bpodľa\s+(?:našich|našej|nášho)\s+(?:záznamov|evidencie|systému)\b",
        r"\b(?:v\s+systéme|v\s+našich\s+záznamoch)\s+(?:nie\s+je|nemáme)\s+(?:žiadn\w+\s+)?(?:záznam\w*|objednávk\w*)",
        r"\bneexistuje\s+(?:žiadny\s+)?záznam\b",
        r"\bmuseli\s+ste\b",
        r"\b(?:je\s+to|bola\s+to)\s+vaša\s+(?:chyba|vina|zodpovednosť)\b",
        r"\b(?:neprečítali|nedodržali|neskontrolovali)\s+ste\b",
        r"\bto\s+nie\s+je\s+pravda\b",
        r"\bboli\s+ste\s+(?:o\s+tom\s+)?(?:informovaný|informovaná|informovaní|upozornen\w*)\b",
    ),
    next_step=(
        r"\b(?:zavoláme|zavolám|ozveme|ozvem|kontaktujeme|kontaktujem|napíšeme|napíšem|preveríme|preverím|"
        r"overíme|overím|vrátime|pošleme|pošlem|vyriešime|vyriešim|skontrolujeme|skontrolujem|prešetríme|"
        r"dáme\s+vám\s+vedieť|dám\s+vám\s+vedieť)\b",
        r"\b(?:dnes|zajtra|do\s+večera|dnes\s+večer|do\s+konca\s+(?:dňa|týždňa)|do\s+\d+\s*(?:hodín|dní|"
        r"pracovných\s+dní)|v\s+priebehu\s+\d+|v\s+(?:pondelok|utorok|stredu|štvrtok|piatok))\b",
    ),
    promise=(
        r"\b(?:vrátime|vrátim|preplatíme|nahradíme|kompenzujeme|odškodníme)\b(?:\s+vám)?(?:\s+\w+){0,2}",
        r"\bdostanete\s+(?:\w+\s+)?(?:peniaze|náhrad\w*|kompenzáci\w+|poukaz\w*|zľav\w+|dobropis)",
        r"\b(?:zásielk|objednávk|balík)\w*\s+(?:vám\s+)?(?:bude\s+)?doruč\w+\s+(?:zajtra|do|v)\b",
    ),
    qualifier=(
        r"\bpo\s+(?:overení|potvrdení|schválení|kontrole|preverení)\b",
        r"\bak\s+(?:to\s+)?(?:bude\s+)?(?:možné|schválen\w+|potvrden\w+|nárok)\b",
        r"\bv\s+prípade\s+(?:schválenia|potvrdenia|nároku)\b",
        r"\bhneď\s+ako\s+(?:to\s+)?(?:potvrdí|overí|schváli)\w*",
        r"\bči\b",
    ),
    review_change=(
        r"\b(?:upravi|zmeni|odstráni|zmaza|prehodnoti|aktualizova|stiahnu|opravi)\w*\s+(?:\w+\s+)?"
        r"(?:recenzi\w+|hodnoteni\w+|komentár\w*|hviezd\w*)",
        r"\b(?:recenzi|hodnoteni)\w*\s+(?:\w+\s+)?(?:upravi|zmeni|odstráni|zmaza|prehodnoti)\w*",
        r"\b(?:dali|dajte|udeľte|pridajte)\s+(?:nám\s+)?(?:viac|\d|päť)\s+hviezd\w*",
    ),
    filler=(
        r"\b(?:vážime\s+si|ceníme\s+si)\s+(?:vašu|vaše|váš)\s+(?:\w+\s+)?(?:spätnú\s+väzbu|názor|hodnoteni\w+|"
        r"recenzi\w+)",
        r"\bvaš[ae]?\s+(?:spätná\s+väzba|názor|hodnotenie)\s+je\s+pre\s+nás\s+(?:veľmi\s+)?dôležit\w+",
        r"\bďakujeme\s+za\s+(?:vašu\s+|vaše\s+|váš\s+)?(?:spätnú\s+väzbu|hodnotenie|recenziu|názor)",
        r"\bspokojnosť\s+(?:našich\s+)?zákazníkov\s+je\s+(?:pre\s+nás\s+)?(?:na\s+prvom\s+mieste|prioritou)",
        r"\bneustále\s+sa\s+snažíme\s+zlepšova\w*",
    ),
)
