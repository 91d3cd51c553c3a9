"""The languages of the largest app markets: real reviews, Thai without spaces, code-mixed text, folding."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from monitor.text.language import detect_language
from monitor.text.lexicons import COMPANIONS, LANGUAGES, load, plan
from monitor.text.negativity import assess
from monitor.text.words import WordSet, fold, segment, split_unspaced, tokenize, unstretched
from tests.fixture_path import fixture

NEW = ("tl", "id", "ms", "hi", "fr", "vi", "th")


def _rows() -> dict[str, tuple[str, str, int]]:
    with fixture("negativity", "new_languages_dev_rows.csv").open(encoding="utf-8", newline="") as handle:
        return {row["key"]: (row["language"], row["content"], int(row["score"])) for row in csv.DictReader(handle)}


# Real reviews (held-out "dev" rows of the shared exports): one clear complaint and, where the exports have
# one, one clear praise per language.
REAL = [
    ("as:GrabFood:7095", True),  # Taglish: "Nag cancel lang ako kasi 25mins waiting ... SAMA NG UGALI"
    ("as:GrabFood:7106", True),  # Indonesian: "Driver ga sopan. Sombong2. Ngeselin."
    ("as:FoodPanda:4248", False),  # Malaysian slang read as Indonesian: "Best giler! ... Sedap giler"
    ("as:FoodPanda:3977", True),  # Malay: "Company kedekut. Tidak menjaga kebajikan pekerja."
    ("as:FoodPanda:3969", False),  # Malay: "Memudahkan masyarakat. Bagus"
    ("gp:User_9584", True),  # Hindi: "uber की सर्विस सबसे ज्यादा खराब है"
    ("gp:User_5556", False),  # Hindi and Hinglish: "Rider bahut Achcha hai ... बहुत-बहुत Achcha hai"
    ("gp:User_7570", True),  # Hinglish: "Sabse bekar app inke driver chor he"
    ("gp:User_9002", False),  # Hinglish: "Bahut acha app"
    ("gp:User_2176", True),  # French: "Baisse de qualité ... Je supprime mon compte"
    ("as:FoodPanda:3973", True),  # Thai, no spaces: "ช้ามากๆค่ะ ... นานมากค่ะไม่ทันใจ"
]


@pytest.mark.parametrize(("key", "unhappy"), REAL)
def test_real_reviews_in_the_new_languages_read_as_their_ratings(key: str, unhappy: bool) -> None:
    language, text, score = _rows()[key]
    verdict = assess(rating=None, text=text)
    assert verdict.unhappy is unhappy, verdict.reasons
    assert (score <= 3) is unhappy
    expected = None if language == "hi-Latn" else language
    assert verdict.language == expected


# Written examples for what the exports lack: praise in Tagalog, French and Thai, anything in Vietnamese.
WRITTEN = [
    ("tl", False, "Ang galing! Mabilis at mabait ang driver, salamat po"),
    ("tl", True, "Hindi gumagana yung app, ang tagal ng refund"),
    ("fr", False, "Très bon service, chauffeur sympa et ponctuel, je recommande"),
    ("fr", True, "L'application ne marche pas, le chauffeur n'est jamais venu. Nul."),
    ("vi", True, "Ứng dụng quá tệ, tài xế không đến và không hoàn tiền"),
    ("vi", True, "ung dung qua te, tai xe khong den"),
    ("vi", False, "Tài xế thân thiện, giao hàng nhanh, rất tốt"),
    ("th", False, "บริการดีมาก คนขับสุภาพ ขอบคุณครับ"),
    ("th", True, "แอพแย่มาก คนขับไม่มาตามนัด เสียเวลา"),
    ("id", True, "Aplikasi ini sangat buruk, driver tidak datang dan uang saya tidak kembali"),
    ("ms", True, "Tak boleh login langsung, teruk betul"),
    ("hi", False, "बहुत बढ़िया सर्विस, ड्राइवर अच्छे थे"),
]


@pytest.mark.parametrize(("language", "unhappy", "text"), WRITTEN)
def test_written_reviews_in_the_new_languages(language: str, unhappy: bool, text: str) -> None:
    verdict = assess(rating=None, text=text)
    assert verdict.language == language
    assert verdict.unhappy is unhappy, verdict.reasons


def test_taglish_is_scored_with_tagalog_and_english_together() -> None:
    verdict = assess(rating=None, text="super late yung rider tapos cold na yung food, nakakainis talaga")
    assert verdict.language == "tl"
    assert verdict.unhappy
    reasons = " ".join(verdict.reasons)
    assert "nakakainis" in reasons and "late" in reasons
    praise = assess(rating=None, text="Ang bilis ng delivery, super friendly pa ng rider, salamat po!")
    assert praise.language == "tl" and not praise.unhappy


def test_tagalog_negation_turns_praise_into_a_complaint() -> None:
    assert assess(rating=None, text="Hindi maganda ang serbisyo, hindi sumasagot ang support", language="tl").unhappy


def test_hinglish_is_read_beside_english_and_in_undecided_text() -> None:
    assert "hi-Latn" in plan("en")[0] and "hi-Latn" in plan(None)[0]
    assert assess(rating=None, text="Bekar app hai").unhappy
    english = assess(rating=None, text="The app is ghatiya, driver cancelled and took extra money")
    assert english.language == "en" and english.unhappy
    assert not assess(rating=None, text="driver ne accha kaam kiya, bahut badhiya").unhappy


def test_hinglish_negation_after_the_verb() -> None:
    assert assess(rating=None, text="app kaam nahi kar raha, refund bhi nahi mila").unhappy


def test_companion_lexicons_follow_the_detected_language() -> None:
    assert plan("id")[0] == ["id", "ms", "en", "hi-Latn"]
    assert plan("ms")[0] == ["ms", "id", "en", "hi-Latn"]
    assert plan("tl")[0] == ["tl", "en", "hi-Latn"]
    assert plan("fr")[0] == ["fr", "en"]
    # Folded Vietnamese syllables are English words ("nó", it, would be the negator "no").
    assert plan("vi") == (["vi"], [])
    assert not assess(rating=None, text="nó chạy tốt lắm, cảm ơn", language="vi").unhappy
    guessed = plan(None)[1]
    assert "vi" not in guessed and "en" not in guessed and set(guessed) <= set(LANGUAGES)


def test_french_pas_terrible_is_a_complaint_and_pas_mal_is_not() -> None:
    assert assess(rating=None, text="C'est pas terrible", language="fr").unhappy
    assert not assess(rating=None, text="Pas mal du tout, merci", language="fr").unhappy


def test_every_new_lexicon_loads_with_provenance_and_flag_sections() -> None:
    from importlib import resources

    for code in (*NEW, *COMPANIONS):
        lexicon = load(code)
        assert lexicon.exact or lexicon.prefix
        text = resources.files("monitor.text.lexicons").joinpath(f"{code}.txt").read_text("utf-8")
        assert "written for this project" in text.splitlines()[0].lower()
        for section in ("[legal]", "[fraud]", "[abuse]"):
            assert section in text, (code, section)


def test_no_term_of_a_new_lexicon_counts_twice() -> None:
    # Two spellings that fold to one form ("huỷ", "hủy") would both match and double the weight.
    for code in (*NEW, *COMPANIONS):
        lexicon = load(code)
        for key, terms in lexicon.exact.items():
            phrases = [term.rest for term in terms if term.section not in ("legal_context", "regulator")]
            assert len(phrases) == len(set(phrases)), (code, key)


def test_thai_runs_are_cut_into_known_words() -> None:
    vocabulary = frozenset({"ไม่", "ดี", "แย่", "แย่ง", "มา", "มาก"})
    assert segment("ไม่ดีเลย", vocabulary, 3) == ["ไม่", "ดี", "เลย"]
    # The longest word wins: "แย่ง" (snatch) is not "แย่" (bad), "มาก" (very) is not "มา" (come).
    assert segment("แย่งกัน", vocabulary, 4) == ["แย่ง", "กัน"]
    assert segment("ไม่มาก", vocabulary, 4) == ["ไม่", "มาก"]
    # A word does not end before a combining mark or start after a leading vowel: "เดี๋ยว" holds no "ดี".
    assert segment("เดี๋ยว", vocabulary, 4) == ["เดี๋ยว"]
    assert split_unspaced(["ดี", "แย่"], vocabulary) == ["ดี", "\n", "แย่"]
    assert split_unspaced(["good", "app"], vocabulary) == ["good", "app"]


def test_thai_matching_with_negation_and_clause_spaces() -> None:
    assert assess(rating=None, text="ไม่ดีเลย").unhappy
    assert assess(rating=None, text="แย่").unhappy
    assert not assess(rating=None, text="แย่งกันรับงาน ดีมาก").unhappy
    # A space ends a Thai clause: "no problem" does not negate the "good" after it.
    assert not assess(rating=None, text="ไม่มีปัญหา ดี").unhappy
    assert assess(rating=None, text="ใช้ไม่ได้เลย ติดต่อไม่ได้").unhappy
    assert assess(rating=None, text="พนักงานไม่มีมารยาท").unhappy


def test_a_thai_word_alone_is_thai() -> None:
    assert detect_language("แย่") == "th"
    assert detect_language("แอพ Grab แย่มาก ไม่มาตามนัด เสียเวลาจริงๆ") == "th"


def test_one_folding_for_every_script() -> None:
    assert fold("Không") == "khong" and fold("ĐẾN") == "den" and fold("tệ") == "te"
    assert fold(unicodedata.normalize("NFD", "tệ")) == "te"
    # Devanagari with a precomposed or a decomposed nukta is one word.
    assert fold("\u095c") == fold("\u0921\u093c")
    assert tokenize("ऐप बहुत बेकार है") == ["ऐप", "बहुत", "बेकार", "है"]
    assert tokenize("שָׁלוֹם") == ["שָׁלוֹם"] and fold("שָׁלוֹם") == "שלום"
    assert WordSet.of(["nahi", "bekar*"]).__contains__("bekaar") is False
    assert "bekarr" in WordSet.of(["nahi", "bekar*"])


def test_letters_held_for_emphasis_still_match() -> None:
    assert unstretched("goooood") == ("good", "god")
    assert unstretched("1000") == ()
    assert assess(rating=None, text="Ghatiyaaa app hai").unhappy
    assert assess(rating=None, text="baaaad service").unhappy


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Manloloko kayo, idedemanda ko kayo at irereklamo sa kinauukulan", {"fraud", "legal", "regulator"}),
        ("Penipu! Saya akan lapor polisi dan ke perlindungan konsumen", {"fraud", "legal", "regulator"}),
        ("Kena tipu, saya akan buat laporan polis", {"fraud", "legal"}),
        ("धोखाधड़ी है, मैं केस करूंगा", {"fraud", "legal"}),
        ("Uber wale chor hai, fir karunga", {"fraud", "legal"}),
        ("Arnaque totale, je vais porter plainte", {"fraud", "legal"}),
        ("lừa đảo, tôi sẽ báo công an", {"fraud", "legal"}),
        ("โกงเงิน จะแจ้งความ", {"fraud", "legal"}),
        ("bobo ka driver", {"abuse"}),
        # A safeguard against fraud is praise, not a report.
        ("Aplikasi ini membantu mencegah penipuan, mantap", set()),
        ("bonne protection contre la fraude", set()),
    ],
)
def test_flags_in_the_new_languages(text: str, flags: set[str]) -> None:
    assert set(assess(rating=None, text=text).flags) == flags
