"""Romanian reply-checker rules (with and without diacritics, as both are common)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:curier\w*|firm\w+\s+de\s+curierat|furnizor\w*|partener\w*|depozit\w*|[șşs]ofer\w*|livrator\w*|"
    r"(?:alt|cel[ăa]lalt)\s+departament|departamentul\s+\w+|coleg\w*|sistem\w*|banc[aă]\w*|po[șşs]t[aă]\w*)"
)

RULES = LanguageRules(
    code="ro",
    stopwords=(
        "și si în in la de pe cu pentru din că ca este sunt a al ai ale o un unei unui noi voi dumneavoastră "
        "dvs vă va ne nu da mai să sa se care ce cum când cand dar sau foarte acest această acesta aceasta "
        "fost fi am ați ati au vom veți veti acum aici"
    ),
    courtesy=(
        "bună buna ziua salut stimate stimată domnule doamnă doamna mulțum* multum* scuze pare rău rau regret* "
        "neplăcer* neplacer* inconvenien* problem* experien* feedback* recenzi* evaluar* echip* stimă stima "
        "respect* client* servic* ajut* înțeleg* inteleg* situați* situati* sincer* într-adevăr"
    ),
    apology=(
        r"\bne\s+pare\s+(?:foarte\s+|tare\s+|sincer\s+)?r[ăa]u\b",
        r"\b(?:ne\s+|îmi\s+)?cer(?:em)?\s+(?:sincer\s+)?scuze\b",
        r"\b[îi]mi\s+pare\s+r[ăa]u\b",
        r"\bscuzele\s+noastre\b",
        r"\bregret[ăa]m\b",
    ),
    thanks=(r"\bmul[țţt]umim\b|\bmul[țţt]umesc\b",),
    blame_shift=(
        _PARTY + r"\s+(?:este|a\s+fost|au\s+fost|e)\s+(?:responsabil\w*|de\s+vin[ăa]|vinovat\w*)",
        _PARTY + r"\s+(?:a\s+|au\s+)?(?:gre[șşs]it|uitat|pierdut|nu\s+a\s+livrat)",
        r"\bdin\s+(?:cauza|vina)\s+" + _PARTY,
        r"\bnu\s+(?:este|e)\s+vina\s+noastr[ăa]\b",
        r"\bnu\s+(?:suntem|putem\s+fi)\s+responsabili\b",
        r"\b[îi]n\s+afara\s+controlului\s+nostru\b",
    ),
    questions_customer=(
        r"\bconform\s+(?:eviden[țţt]elor|datelor|[îi]nregistr[ăa]rilor|sistemului)\s+noastre?\b",
        r"\bnu\s+(?:exist[ăa]|avem)\s+(?:nicio|nici\s+o)\s+[îi]nregistrare\b",
        r"\btrebuie\s+s[ăa]\s+fi\s+\w+",
        r"\b(?:este|e)\s+(?:vina|responsabilitatea)\s+(?:dumneavoastr[ăa]|dvs|ta)\b",
        r"\bnu\s+a[țţt]i\s+(?:citit|respectat|verificat)\b",
        r"\bnu\s+este\s+adev[ăa]rat\b",
        r"\ba[țţt]i\s+fost\s+(?:informat|anun[țţt]at|avertizat)\w*",
    ),
    next_step=(
        r"\bv[ăa]\s+(?:vom|voi)\s+(?:suna|contacta|scrie|r[ăa]spunde|returna|trimite|informa)\b",
        r"\b(?:vom|voi)\s+(?:\w+\s+){0,2}?(?:verifica|investiga|analiza|contacta|suna|rezolva|returna|trimite|"
        r"reveni|escalada)\b",
        r"\b(?:ast[ăa]zi|azi|m[âa]ine|p[âa]n[ăa]\s+(?:disear[ăa]|la\s+sf[âa]r[șşs]itul\s+zilei|m[âa]ine|vineri|"
        r"luni)|[îi]n\s+(?:urm[ăa]toarele\s+)?\d+\s*(?:ore|zile))\b",
    ),
    promise=(
        r"\b(?:v[ăa]\s+)?(?:vom|voi)\s+(?:\w+\s+)?(?:rambursa|returna\s+banii|desp[ăa]gubi|compensa|[îi]nlocui|"
        r"livra)\b",
        r"\bve[țţt]i\s+primi\s+(?:\w+\s+){0,2}?(?:banii|rambursar\w+|desp[ăa]gubir\w+|compensa[țţt]i\w+|"
        r"voucher\w*|comanda|coletul)",
        r"\b(?:banii|rambursarea|comanda|coletul)\s+(?:\w+\s+)?va\s+(?:fi\s+)?(?:ajunge|livrat\w*|returnat\w*|"
        r"rambursat\w*)",
    ),
    qualifier=(
        r"\bdup[ăa]\s+(?:ce\s+)?(?:verific|confirm|aprob)\w*",
        r"\bdac[ăa]\b",
        r"\b[îi]n\s+cazul\s+[îi]n\s+care\b",
        r"\bimediat\s+ce\s+(?:confirm|primim\s+confirmarea)\w*",
    ),
    review_change=(
        r"\b(?:modifica|schimba|[șşs]terge|actualiza|reconsidera|retrage|elimina)\w*\s+(?:\w+\s+)?"
        r"(?:recenzi\w+|evaluar\w+|nota|ratingul|comentariul|stele)\b",
        r"\b(?:acorda[țţt]i|da[țţt]i|oferi[țţt]i)(?:-ne|\s+ne)?\s+(?:mai\s+multe|\d|cinci)\s+stele\b",
    ),
    filler=(
        r"\b(?:apreciem|pre[țţt]uim)\s+(?:mult\s+|foarte\s+mult\s+)?(?:feedback(?:-\w+)?|p[ăa]rerea|opinia|recenzia)",
        r"\b(?:feedback-ul|p[ăa]rerea|opinia)\s+(?:dumneavoastr[ăa]|dvs\.?)\s+(?:este|e)\s+(?:foarte\s+)?"
        r"(?:important[ăa]?|valoros|pre[țţt]ios)",
        r"\bmul[țţt]umim\s+pentru\s+(?:feedback(?:-\w+)?|recenzi\w+|evaluar\w+|p[ăa]rere)",
        r"\bsatisfac[țţt]ia\s+clien[țţt]ilor\s+(?:este|e)\s+(?:prioritatea|o\s+prioritate)",
        r"\bne\s+str[ăa]duim\s+(?:mereu\s+|[îi]ntotdeauna\s+)?s[ăa]\s+oferim\b",
    ),
)
