"""Malay reply-checker rules: the Indonesian patterns, which hold the Malay wording too, with Malay function words.

Malay and Indonesian customer-service replies share most of their phrases; where the words differ (kerana,
rekod, maklum balas, bayaran balik, dalam masa, sila, pemandu, penghantar) the `id` patterns list both.
"""

from __future__ import annotations

from responders.checker.rules import LanguageRules
from responders.checker.rules.id import RULES as _SHARED

RULES = LanguageRules(
    code="ms",
    stopwords=(
        "yang dan di ke dari untuk dengan ini itu ada tidak tak bukan kami kita saya anda awak kamu dia mereka "
        "akan sudah telah belum juga atau tetapi kerana jika kalau supaya pada dalam oleh sebagai boleh dapat "
        "perlu harus sangat amat lebih masih hanya ya pun lagi semasa bahawa apa bila mana sila ialah adalah "
        "kepada bagi daripada"
    ),
    courtesy=_SHARED.courtesy + " encik puan cik tuan harap kesulitan kesal maklum* balas aduan* perkhidmatan*",
    apology=_SHARED.apology,
    thanks=_SHARED.thanks,
    blame_shift=_SHARED.blame_shift,
    deflection=_SHARED.deflection,
    questions_customer=_SHARED.questions_customer,
    next_step=_SHARED.next_step,
    promise=_SHARED.promise,
    qualifier=_SHARED.qualifier,
    review_change=_SHARED.review_change,
    filler=_SHARED.filler,
)
