"""Finnish reply-checker rules (stems with `\\w*` cover the case endings)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:kuriir\w*|kuljetusyhtiö\w*|kuljettaj\w*|toimittaj\w*|alihankkij\w*|kumppani\w*|varasto\w*|posti\w*|"
    r"(?:toinen|toisen|eri)\s+osasto\w*|kolleg\w*|työkaveri\w*|järjestelmä\w*|pankki\w*|pankin)"
)

RULES = LanguageRules(
    code="fi",
    stopwords=(
        "ja tai mutta on ovat oli olivat olla ei emme en et eivät että se ne tämä tuo nämä me te he minä sinä "
        "hän meidän teidän heidän meille teille meitä teitä teidät kun jos niin kuin myös vain vielä jo nyt "
        "sitten koska mikä mitä kuka joka jotka siitä sen sitä hyvin sekä kanssa olemme olette voi voimme "
        "tämän tästä tässä"
    ),
    courtesy=(
        "hei hyvä moi terve ystävällisin terveisin kiit* pahoitt* anteeks* harmi* valitett* pahoillamme "
        "pahoillani ikävä* kuulla kokemu* palaut* arvio* arvostel* asiakas* asiakka* palvelu* tiimi* ongelm* "
        "hankaluu* vaiva* haitta* ymmärr* tilanne* tilante* asia* todella erittäin aidosti"
    ),
    apology=(
        r"\b(?:olemme\s+)?(?:todella\s+|erittäin\s+|hyvin\s+)?pahoillamme\b",
        r"\b(?:olen\s+)?(?:todella\s+)?pahoillani\b",
        r"\bpahoittel\w*",
        r"\banteeksi\b",
        r"\b(?:ikävä|harmi)\s+kuulla\b",
    ),
    thanks=(r"\bkiito\w*|\bkiitämme\b",),
    blame_shift=(
        _PARTY + r"\s+(?:on|oli)\s+(?:vastuussa|syyllinen|syypää)",
        _PARTY + r"\s+(?:unohti|epäonnistui|hukkasi|teki\s+virheen|ei\s+toimittanut|mokasi)",
        r"\b" + _PARTY + r"\s+(?:vuoksi|takia|syystä)\b",
        r"\bei\s+ole\s+meidän\s+(?:vikamme|syymme|vika|syy)\b",
        r"\bemme\s+ole\s+(?:siitä\s+)?vastuussa\b",
        r"\bemme\s+voi\s+vaikuttaa\b",
    ),
    questions_customer=(
        r"\b(?:tietojemme|järjestelmämme|kirjanpitomme|rekisterimme)\s+mukaan\b",
        r"\b(?:meillä\s+)?ei\s+ole\s+(?:mitään\s+)?merkintää\b",
        r"\b(?:olette|olet)\s+(?:varmaan|varmasti|ilmeisesti)\s+\w+",
        r"\b(?:se\s+on|oli)\s+(?:teidän|sinun)\s+(?:vikanne|vikasi|vastuullanne|vastuullasi)\b",
        r"\b(?:ette|et)\s+(?:lukeneet|lukenut|noudattaneet|noudattanut|tarkistaneet|tarkistanut)\b",
        r"\btämä\s+ei\s+pidä\s+paikkaansa\b",
        r"\bteille\s+(?:on\s+)?(?:kerrottiin|ilmoitettiin|kerrottu|ilmoitettu)\b",
    ),
    next_step=(
        r"\b(?:soitamme|soitan|otamme|otan|palaamme|palaan|selvitämme|selvitän|tarkistamme|tarkistan|lähetämme|"
        r"lähetän|korjaamme|ilmoitamme|ilmoitan|hyvitämme|käsittelemme)\b",
        r"\b(?:tänään|huomenna|tänä\s+iltana|viimeistään|(?:\d+|yhden|kahden|kolmen)\s+(?:tunnin|päivän|"
        r"arkipäivän)\s+(?:kuluessa|sisällä)|maanantaina|tiistaina|keskiviikkona|torstaina|perjantaina)\b",
    ),
    promise=(
        r"\b(?:hyvitämme|korvaamme|toimitamme)\b(?:\s+\w+){0,2}",
        r"\bpalautamme\s+(?:\w+\s+)?rahat\b",
        r"\b(?:saatte|saat)\s+(?:\w+\s+)?(?:rahat|hyvityksen|korvauksen|lahjakortin|alennuksen|uuden)\b",
        r"\b(?:tilauksenne|tilauksesi|pakettinne|pakettisi|rahat|hyvitys)\s+(?:\w+\s+)?(?:saapuu|toimitetaan|"
        r"palautetaan|maksetaan)\b",
    ),
    qualifier=(
        r"\b(?:kun|heti\s+kun)\s+(?:olemme\s+)?(?:vahvist|tarkist|hyväksy)\w*",
        r"\b(?:vahvistuksen|tarkistuksen|hyväksynnän)\s+jälkeen\b",
        r"\bjos\b",
        r"\bedellyttäen\b",
    ),
    review_change=(
        r"\b(?:muutta|poista|päivittä|päivitt|harkit|muokat|muokkaa)\w*\s+(?:\w+\s+)?(?:arvio\w*|arvostelu\w*|"
        r"tähti\w*|tähdi\w*|kommentti\w*)",
        r"\b(?:arvio|arvostelu|arvosana)\w*\s+(?:\w+\s+)?(?:muuttamis\w*|poistamis\w*|päivittämis\w*|muuttaa|"
        r"poistaa|päivittää)",
        r"\b(?:antaisitte|antakaa|antaisit)\s+(?:meille\s+)?(?:lisää|enemmän|\d|viisi)\s+tähte\w*",
    ),
    filler=(
        r"\barvostamme\s+(?:suuresti\s+)?(?:palautett\w*|arvio\w*|mielipidett\w*|kommentte\w*)",
        r"\b(?:palautteenne|palautteesi|mielipiteenne)\s+on\s+(?:meille\s+)?(?:tärkeä|arvokas|tärkeää)",
        r"\bkiitos\s+(?:palautteesta|palautteestanne|arviosta|arviostanne|arvostelusta|kommentista)",
        r"\basiakastyytyväisyys\s+on\s+(?:meille\s+)?(?:tärkeintä|ykkösprioriteetti|tärkeää)",
        r"\bpyrimme\s+(?:aina\s+)?(?:tarjoamaan|parantamaan)\b",
    ),
)
