"""Filipino (Tagalog) reply-checker rules, with the English rules added for Taglish drafts.

Written from the usual phrasing of customer-service replies. Filipino replies mix English freely ("Sorry po
sa delay, ire-refund namin ..."), so every pattern list, the function words and the courtesy words also
hold the English ones: a Taglish draft detected as Filipino still gets every English rule.
"""

from __future__ import annotations

from responders.checker.rules import LanguageRules
from responders.checker.rules.en import RULES as _EN

# Third parties a reply can blame: riders, couriers, merchants, other departments, the bank, "the system".
_NOUN = (
    r"(?:rider|driver|kuryer|courier|tagahatid|delivery\s+partner|merchant|restawran|restaurant|tindahan|"
    r"supplier|seller|partner|bodega|warehouse|ibang\s+(?:departamento|team|sangay)|kasamahan|system|sistema|"
    r"bangko|bank)"
)
_YOU = r"(?:ninyo|niyo|nyo|mo)"
_SOFT = r"(?:\s+(?:po|na|lang|lamang|muna|kayo|ka|ninyo|niyo|nyo|mo))*"

RULES = LanguageRules(
    code="tl",
    stopwords=(
        "ang ng mga sa na ay at si ni kay po opo ko mo niya namin natin ninyo niyo nyo kami tayo kayo sila siya "
        "ako ikaw ka ito iyan iyon yan yun yung nang pero o para dahil kung kapag hindi di wala may mayroon meron "
        "lang lamang din rin pa nga ba naman talaga ngayon dito diyan doon aming inyong iyong kanilang kaniyang "
        + _EN.stopwords
    ),
    courtesy=(
        "magandang araw umaga hapon gabi salamat maraming paumanhin pasensya pasensiya patawad ikinalulungkot "
        "abala aberya problema karanasan feedback puna review customer serbisyo team pag-unawa sitwasyon "
        "nangyari naranasan talaga " + _EN.courtesy
    ),
    apology=(
        r"\b(?:humihingi|humingi)\s+(?:po\s+)?(?:kami|ako)\s+(?:ng\s+)?(?:paumanhin|tawad|pasensya|pasensiya|"
        r"dispensa)\b",
        r"\b(?:paumanhin|pasensya|pasensiya|patawad|ipagpaumanhin)\b|\bikinalulungkot\s+(?:po\s+)?(?:namin|ko)\b",
        *_EN.apology,
    ),
    thanks=(r"\bsalamat\b", *_EN.thanks),
    blame_shift=(
        r"\b(?:dahil|sanhi|bunga)\s+(?:po\s+)?(?:sa|ng|nang)\s+(?:aming\s+)?" + _NOUN + r"\b",
        _NOUN + r"\s+(?:po\s+)?(?:ang\s+)?(?:may\s+kasalanan|nagkamali|nakalimot|responsable)\b",
        *_EN.blame_shift,
    ),
    deflection=(
        r"\b(?:kasalanan|pagkakamali|responsibilidad|pananagutan)\s+(?:po\s+)?(?:ito\s+|iyon\s+|yun\s+|yon\s+)?"
        r"(?:ng|ni|nang)\s+(?:aming\s+|ating\s+)?" + _NOUN + r"\b",
        r"\bhindi\s+(?:po\s+)?(?:namin|natin)\s+(?:kasalanan|pagkakamali)\b",
        r"\bhindi\s+(?:po\s+)?(?:kami|ito)\s+(?:ang\s+)?(?:may\s+)?(?:kasalanan|sala|responsable|pananagutan)\b",
        r"\b(?:wala\s+(?:po\s+)?(?:kaming|sa\s+aming)\s+(?:kontrol|pananagutan|kasalanan)|labas\s+(?:na\s+)?"
        r"(?:po\s+)?sa\s+(?:aming|ating)\s+(?:kontrol|sakop))\b",
        # Sending the customer to the third party instead of dealing with it.
        r"\b(?:paki-?contact|kontakin|tawagan|i-?contact|makipag-?ugnayan|makipag\s+ugnayan)"
        + _SOFT
        + r"\s+(?:sila|sa\s+kanila|(?:sa|ang)\s+(?:inyong\s+|iyong\s+)?"
        + _NOUN
        + r")\b",
        *_EN.deflection,
    ),
    questions_customer=(
        r"\b(?:ayon\s+sa|base\s+sa|batay\s+sa)\s+(?:aming|ating)\s+(?:records?|rekord|talaan|sistema|system|data)\b",
        r"\bwala\s+(?:po\s+)?(?:kaming|kami)\s+(?:nakitang\s+)?(?:records?|rekord|talaan)\b",
        r"\bkasalanan\s+(?:po\s+)?(?:ninyo|niyo|nyo|mo)\b",
        r"\b(?:dapat|sana)\s+(?:po\s+)?(?:ay\s+)?(?:binasa|tiningnan|chineck|sinunod)\s+(?:po\s+)?" + _YOU + r"\b",
        r"\b(?:nasabihan|sinabihan|na-?inform|inabisuhan|naabisuhan)\s+(?:na\s+)?(?:po\s+)?(?:kayo|ka)\b",
        r"\bhindi\s+(?:po\s+)?(?:totoo|tama)\s+(?:ang|iyan|yan|iyon)\b",
        *_EN.questions_customer,
    ),
    next_step=(
        r"\b(?:tatawagan|kokontakin|i?ko-?contact|aayusin|susuriin|titingnan|aasikasuhin|ipapadala|ibabalik|"
        r"ire-?refund|babalikan|i-?uupdate|ia-?update|sasagutin|ipapaalam|ipagbibigay-?alam|iimbestigahan|"
        r"iche-?check|tutulungan)\b",
        r"\b(?:ngayong\s+(?:araw|hapon|gabi|linggo)|ngayon\s+din|bukas|mamaya|sa\s+loob\s+ng\s+(?:\d+|isang|"
        r"dalawang|tatlong)\s*(?:na\s+)?(?:oras|araw|minuto))\b",
        *_EN.next_step,
    ),
    promise=(
        r"\b(?:ire-?refund|ibabalik|papalitan|babayaran)\s+(?:po\s+)?(?:namin|ko)\b",  # not "ipapadala" (send)
        r"\b(?:makakatanggap|matatanggap)\b[^.!?\n]{0,30}?\b(?:refund|pera|voucher|kompensasyon|credit|order|"
        r"package|parcel)\b",
        *_EN.promise,
    ),
    qualifier=(
        r"\b(?:kapag|pag|kung|oras\s+na|sa\s+sandaling)\s+(?:po\s+)?(?:na-?|ma-?)?(?:kumpirm|confirm|verif|aprub|"
        r"approve|nakumpirma|naaprubahan)\w*",
        r"\bpagkatapos\s+(?:po\s+)?(?:ng|naming)\s+(?:\w+\s+)?(?:pag-?check|pagsusuri|beripikasyon|verification|"
        r"kumpirmasyon|confirmation|ma-?check|ma-?verify)\b",
        r"\bkung\s+(?:kayo\s+ay\s+)?(?:eligible|kwalipikado|qualified)\b",
        *_EN.qualifier,
    ),
    review_change=(
        r"\b(?:paki-?(?:update|edit|palitan|baguhin|delete|bura|tanggal)|i-?(?:update|edit|delete)|baguhin|"
        r"palitan|burahin|tanggalin|taasan|dagdagan)" + _SOFT + r"\s+(?:ang\s+)?(?:inyong\s+|iyong\s+|yung\s+)?"
        r"(?:review|rating|stars?|bituin|komento|puna)\b",
        r"\b(?:bigyan|bigay)" + _SOFT + r"\s+(?:kami\s+)?(?:ng\s+)?(?:\d|lima|limang)\s*(?:na\s+)?(?:stars?|bituin)\b",
        *_EN.review_change,
    ),
    filler=(
        r"\bsalamat\s+(?:po\s+)?(?:sa|para\s+sa)\s+(?:inyong|iyong|yung|ang\s+inyong)\s+(?:\w+\s+)?(?:feedback|"
        r"puna|review|komento|rating|mensahe)\b",
        r"\b(?:pinahahalagahan|pinapahalagahan)\s+(?:po\s+)?(?:namin|ko)\s+(?:ang\s+)?(?:inyong|iyong|lahat\s+ng)\s+"
        r"(?:\w+\s+)?(?:feedback|puna|review|komento|opinyon)\b",
        r"\b(?:mahalaga|importante)\s+(?:po\s+)?(?:sa\s+amin\s+)?(?:ang\s+)?(?:inyong|iyong)\s+(?:feedback|puna|"
        r"opinyon|review)\b",
        *_EN.filler,
    ),
)
