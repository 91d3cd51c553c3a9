"""Language detection on short, real-looking review texts."""

from __future__ import annotations

import random

import pytest

from monitor.text.language import detect_language, detect_languages, language_probabilities
from monitor.text.languages import SUPPORTED
from monitor.text.lexicons import LANGUAGES
from responders.checker.rules import SUPPORTED as RULE_LANGUAGES
from responders.guidance.texts import SUPPORTED as GUIDANCE_LANGUAGES

CASES = [
    ("en", "The driver never showed up and support did not answer my emails"),
    ("sk", "Aplikácia vôbec nefunguje, vodič neprišiel a peniaze mi nevrátili"),
    ("sk", "Veľmi rýchle doručenie, ďakujem, všetko bolo v poriadku"),
    ("ro", "Aplicatia nu merge deloc si soferul a anulat cursa"),
    ("ro", "Șoferul a fost foarte amabil, mașina curată, mulțumesc"),
    ("fi", "Sovellus ei toimi ollenkaan ja asiakaspalvelu ei vastaa"),
    ("fi", "Kuski oli todella ystävällinen ja auto siisti, kiitos"),
    ("tr", "Uygulama çok kötü, şoför gelmedi ve param iade edilmedi"),
    ("tr", "Şoför çok kibardı, teşekkür ederim, gayet başarılı bir uygulama"),
    ("he", "האפליקציה לא עובדת והנהג לא הגיע בכלל"),
    ("he", "שירות מעולה, הנהג היה אדיב ומהיר. תודה רבה!"),
    ("ru", "Приложение ужасное, водитель не приехал, деньги списали"),
    ("de", "Die App funktioniert nicht und der Fahrer ist nie gekommen"),
    ("de", "Sehr freundlicher Fahrer, alles hat super geklappt"),
    ("pt", "O aplicativo não funciona e o motorista cancelou a corrida"),
    ("pt", "Motorista muito educado, carro limpo, recomendo a todos"),
    ("es", "La aplicación no funciona y el conductor canceló el viaje"),
    ("ar", "التطبيق سيء جدا والسائق لم يصل"),
    ("fr", "Le chauffeur n'est jamais venu et le service client ne répond pas"),
    ("tl", "Ang bagal ng app, lagi na lang nagha-hang. Hindi ko na gagamitin ulit"),
    ("tl", "super late yung rider tapos cold na yung food, nakakainis talaga"),
    ("id", "Aplikasi ini sangat buruk, driver tidak datang dan uang saya tidak kembali"),
    ("id", "Gak bisa login, parah"),
    ("ms", "Tak boleh login langsung, teruk betul"),
    ("hi", "ऐप बहुत बेकार है, ड्राइवर नहीं आया"),
    ("vi", "Ứng dụng quá tệ, tài xế không đến và không hoàn tiền"),
    ("vi", "ung dung qua te, tai xe khong den"),
    ("th", "แอพแย่มาก คนขับไม่มาตามนัด เสียเวลา"),
]


@pytest.mark.parametrize(("expected", "text"), CASES)
def test_detects_the_language_of_review_text(expected: str, text: str) -> None:
    assert detect_language(text) == expected
    assert expected in SUPPORTED


@pytest.mark.parametrize("text", ["", "   ", "5", "!!!", "👍👍", "ok", "Good", "Nice app"])
def test_too_short_or_empty_text_is_undecided(text: str) -> None:
    assert detect_language(text) is None


def test_right_to_left_text_with_latin_brand_names_is_still_hebrew() -> None:
    text = "‏האפליקציה של Uber גרועה, ה-app קורסת כל הזמן‏"
    assert detect_language(text) == "he"


def test_mostly_english_text_with_one_foreign_word_stays_english() -> None:
    assert detect_language("The driver said danke and then cancelled the ride for no reason") == "en"


def test_romanian_without_diacritics_is_recognised_from_its_function_words() -> None:
    assert detect_language("foarte proasta aplicatia, nu mai comand niciodata") == "ro"


def test_turkish_capital_dotted_i_does_not_break_detection() -> None:
    assert detect_language("İYİ BİR UYGULAMA DEĞİL, ÇOK KÖTÜ") == "tr"


@pytest.mark.parametrize(
    "text",
    [
        "Водій не приїхав, гроші не повернули, жахливий сервіс",
        "Polecam, świetna aplikacja, kierowca bardzo miły",
        "Aplikace vůbec nefunguje, řidič nepřijel",
        "很不好的软件，再也不要用",
        "今日のランチが注文できなくてとても困りました。",
        "Πολύ καλή εφαρμογή, ευγενικός οδηγός",
    ],
)
def test_languages_the_product_has_nothing_for_are_not_reported(text: str) -> None:
    # Recognisably Ukrainian, Polish, Czech, Chinese, Japanese, Greek: no lexicon, rules or texts.
    assert detect_language(text) is None


def test_every_language_resource_is_in_the_registry_and_nothing_else_is() -> None:
    assert set(SUPPORTED) == set(LANGUAGES) | set(RULE_LANGUAGES) | set(GUIDANCE_LANGUAGES)


def test_a_regional_variety_counts_as_its_language() -> None:
    # Egyptian Arabic: the model's best label is "arz", the product reads it with the Arabic lexicon.
    assert detect_language("مقاطعه ابن كلب") == "ar"


def test_a_single_word_in_a_script_of_its_own_is_enough() -> None:
    assert detect_language("גרוע") == "he"


def test_hinglish_in_latin_letters_is_not_reported_as_a_language() -> None:
    # Its own lexicon is applied beside English instead (see monitor.text.lexicons.plan).
    assert detect_language("bahut bekar app hai, driver ne ride cancel kar diya") in (None, "en")


def test_malay_and_indonesian_share_their_confidence() -> None:
    # The model splits short Malay between "ms" and "id"; together they are sure enough.
    probabilities = language_probabilities("Tak boleh login langsung, teruk betul")
    assert probabilities["ms"] < 0.6 < probabilities["ms"] + probabilities["id"]
    assert detect_language("Tak boleh login langsung, teruk betul") == "ms"


def test_informal_indonesian_and_tagalog_labelled_as_neighbours_count_as_themselves() -> None:
    assert detect_language("Gak bisa login, parah") == "id"
    assert detect_language("Ok naman pero minsan delayed") == "tl"


def test_thai_is_decided_by_its_script_even_for_one_short_word() -> None:
    assert detect_language("แย่") == "th"
    assert detect_language("ดี 👍") == "th"


def test_the_fast_path_gives_the_models_own_ranking() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    for _, text in CASES:
        probabilities = language_probabilities(text)
        ranked = dict(reference.rank(text))
        for label in ("de", "tr", "fi", "fr", "th", "vi"):
            assert abs(probabilities[label] - ranked[label]) < 1e-6
        # Varieties are merged into their language.
        assert abs(probabilities["en"] - (ranked["en"] + ranked["pcm"])) < 1e-6
        assert abs(probabilities["ar"] - (ranked["ar"] + ranked["arz"] + ranked["ary"])) < 1e-6


def test_a_batch_detects_what_each_text_alone_detects() -> None:
    rng = random.Random(5)
    texts = [
        "The driver never showed up and support did not answer my emails",
        "แอพแย่มาก คนขับไม่มาตามนัด",
        "ok",
        "",
        "Bahut bekaar service hai, driver ne cancel kar diya",
        "La aplicación no funciona y nadie responde",
        "Die App stürzt ständig ab",
        "gak bisa login, parah",
        "👍👍👍",
        "x" * 3000,
    ]
    texts += [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzäöüñ ") for _ in range(rng.randint(0, 120))) for _ in range(200)
    ]
    assert detect_languages(texts) == [detect_language(text) for text in texts]
    assert detect_languages([]) == []
