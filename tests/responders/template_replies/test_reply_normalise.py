from __future__ import annotations

import unicodedata

import pytest

from responders.template_replies.normalise import MARK_PLANES_END, clean_reply_text, normalise_key, normalise_reply
from responders.template_replies.words import word_list, word_set

DUNZO = (
    "we regret the inconvenience caused to you please write to us at {email} "
    "and we would be happy to help resolve the concern"
)


@pytest.mark.parametrize(
    "text",
    [
        "\nHey, we regret the inconvenience caused to you. Please write to us at partner-review@dunzo.in and we would "
        "be happy to help resolve the concern. Warm regards, Dunzo.",
        "\nHi Rajan, we regret the inconvenience caused to you. Please write to us at partner-review@dunzo.in and we "
        "would be happy to help resolve the concern. Warm regards, Team Dunzo.",
        "\nHi rainbow videos, We regret the inconvenience caused to you. Please write to us at partner-review@dunzo.in "
        "and we would be happy to help resolve the concern.",
    ],
)
def test_greeting_name_and_sign_off_variants_normalise_alike(text: str) -> None:
    assert normalise_reply(text).key == DUNZO


def test_hellopeter_html_greeting_and_agent_initials_become_slots() -> None:
    reply = normalise_reply(
        "<div>Hi Elliriza Luyt&nbsp;<br><br>Thank you for contacting Cell C.&nbsp;<br><br>Regards<br>^MP</div>"
    )
    assert reply.key == "thank you for contacting cell c"
    kinds = {slot.kind: slot.text for slot in reply.slots}
    assert kinds["name"] == "Elliriza Luyt"
    assert kinds["agent"] == "^MP"
    assert kinds["sign_off"] == "Regards"
    assert "<" not in reply.text and "&nbsp;" not in reply.text


def test_numbers_dates_amounts_urls_and_phones_become_placeholders() -> None:
    reply = normalise_reply(
        "Dear Mr Smith, your ticket #A1B2C3 from 3rd March 2021 for R150 is closed. "
        "See https://help.example.com/x?id=9 or call +27 11 555 1234. Kind regards, The Support Team"
    )
    assert reply.tokens == (
        "your", "ticket", "{reference}", "from", "{date}", "for", "{amount}", "is", "closed",
        "see", "{url}", "or", "call", "{phone}",
    )  # fmt: skip
    texts = {slot.kind: slot.text for slot in reply.slots}
    assert texts["name"] == "Mr Smith"
    assert texts["reference"] == "#A1B2C3"
    assert texts["amount"] == "R150"
    assert texts["phone"] == "+27 11 555 1234"


def test_slot_spans_point_into_the_cleaned_text() -> None:
    reply = normalise_reply("<p>Hello Anna,</p><p>order 99887766 was refunded on 2021-05-04.</p>")
    for slot in reply.slots:
        assert reply.text[slot.start : slot.end] == slot.text


def test_case_punctuation_apostrophes_and_emoji_do_not_matter() -> None:
    a = normalise_reply("Hi there, that’s not the experience we want!! 💚💚")
    b = normalise_reply("hi there that's NOT the experience we want.")
    assert a.key == b.key == "thats not the experience we want"


@pytest.mark.parametrize(
    ("text", "name", "key"),
    [
        (
            "Hallo Herr Müller, vielen Dank für Ihre Bewertung! Viele Grüße, Ihr Team",
            "Herr Müller",
            "vielen dank fur ihre bewertung",
        ),
        ("Dobrý deň, pán Novák, ďakujeme za hodnotenie. S pozdravom, Tím", None, None),
        ("Bună ziua Maria, vă mulțumim pentru recenzie.", "Maria", "va multumim pentru recenzie"),
        ("Hei Matti! Kiitos palautteesta. Terveisin, tiimi", "Matti", "kiitos palautteesta"),
        ("Merhaba Ahmet Bey, yorumunuz için teşekkürler.", "Ahmet Bey", "yorumunuz icin tesekkurler"),
        ("Здравствуйте, Иван! Спасибо за отзыв. С уважением, команда", "Иван", "спасибо за отзыв"),
        ("Olá João, obrigado pelo comentário.", "João", "obrigado pelo comentario"),
    ],
)
def test_non_english_greetings_and_sign_offs(text: str, name: str | None, key: str | None) -> None:
    reply = normalise_reply(text)
    kinds = [slot.kind for slot in reply.slots]
    assert kinds[0] == "greeting"
    if name is not None:
        assert [s.text for s in reply.slots if s.kind == "name"] == [name]
    if key is not None:
        assert reply.key == key
    assert "dakujeme" in normalise_reply("Dobrý deň, ďakujeme za hodnotenie.").key


def test_right_to_left_text_survives() -> None:
    hebrew = normalise_reply("שלום דני, תודה רבה על הביקורת שלך. בברכה, הצוות")
    assert hebrew.key == "תודה רבה על הביקורת שלך"
    assert [s.text for s in hebrew.slots if s.kind == "name"] == ["דני"]
    assert "תודה רבה" in hebrew.text
    arabic = normalise_reply("مرحبا أحمد، شكرًا لتعليقك على التطبيق")
    assert arabic.key == "شكرا لتعليقك على التطبيق"  # vowel marks dropped, words kept whole
    assert [s.text for s in arabic.slots if s.kind == "name"] == ["أحمد"]


def test_greeting_without_name_keeps_the_message() -> None:
    assert normalise_reply("Hi, we'd love to help you!").key == "wed love to help you"
    assert normalise_reply("Good day\n\nThank you for contacting us.").key == "thank you for contacting us"
    assert normalise_reply("Hi, Thanks!").key == "thanks"


def test_closing_sentence_about_the_team_is_message_not_sign_off() -> None:
    assert normalise_reply("Please contact our support team.").key == "please contact our support team"


def test_mojibake_is_repaired() -> None:
    assert clean_reply_text("Thanks for the 5 stars ðŸ™‚ Ã©tÃ©") == "Thanks for the 5 stars 🙂 été"


def test_spans_mode_gives_same_tokens_and_one_span_per_token() -> None:
    text = "<div>Good day Werner<br><br>Order 12345678 will ship on 4 May. We’re sorry!<br>^NT</div>"
    plain, spanned = normalise_reply(text), normalise_reply(text, spans=True)
    assert plain.tokens == spanned.tokens
    assert len(spanned.token_spans) == len(spanned.tokens)


@pytest.mark.parametrize(
    "text",
    [
        "<div>Hi Yvonne&nbsp;<br><br>Thank you for contacting Cell C.&nbsp;<br><br>Regards<br>^MP</div>",
        "Hi Anna, your order AB-12CD34 of 3 March 2021 (R 150,00) is on its way. Call +27 11 555 1234.",
        "Dear Sir, refund of USD 25 for booking #GRAB-XYZ issued on September  5. Ref: CX-99887766",
        "Hello ﬁnance team, the code İT42 and the 10:30pm slot are confirmed. Cheers, The Help Team",
        "<p>Sorry!<!-- <br> note --></p><span title='<b>'>Visit www.example.com/help</span>",
        "Здравствуйте, Иван! Заказ № 12345 доставлен 5 мая. С уважением, команда",
        "",
        "🙂",
    ],
)
def test_key_only_path_matches_the_full_normalisation(text: str) -> None:
    assert normalise_key(text) == normalise_reply(text).key
    assert normalise_key(text) == normalise_key(text)  # a second call is served from the body cache


def test_digit_slots_are_found_wherever_the_digits_stand() -> None:
    # Month names and letter codes stand before their digits; the scan must still start early enough.
    reply = normalise_reply("We shipped it on September 5 with code ABCDEF12 and #PROMO, see you.")
    assert reply.tokens == ("we", "shipped", "it", "on", "{date}", "with", "code", "{reference}", "and",
                            "{reference}", "see", "you")  # fmt: skip


def test_html_comments_and_tags_inside_tags_are_removed_like_plain_tags() -> None:
    assert clean_reply_text("<p>One</p><!-- <br> hidden --><p>Two</p>") == "One\nTwo"
    assert clean_reply_text("<span title='<b>'>Three</span><br>Four") == "'>Three\nFour"
    assert clean_reply_text("<DIV>Five<BR/>Six</DIV>") == "Five\nSix"


@pytest.mark.parametrize(
    "name", ["greetings", "honorifics", "not_names", "generic_addressees", "sign_offs", "complaint_cues"]
)
def test_word_lists_are_package_data_one_entry_per_line(name: str) -> None:
    words = word_list(name)
    assert words and len(set(words)) == len(words)
    assert all(word and word == word.strip() and not word.startswith("#") for word in words)
    assert word_set(name) == frozenset(words)


def test_word_list_entries_keep_spaces_and_scripts() -> None:
    assert "sehr geehrte damen und herren" in word_list("greetings")
    assert "שלום" in word_list("greetings") and "добрый день" in word_list("greetings")
    assert "mit freundlichen grüßen" in word_list("sign_offs")


def test_no_combining_mark_lies_above_the_planes_that_are_scanned_for_them() -> None:
    # Folding removes the marks it found below MARK_PLANES_END; a mark above it would be kept as a letter.
    above = [hex(code) for code in range(MARK_PLANES_END, 0x110000) if unicodedata.combining(chr(code))]
    assert above == []


def test_marks_of_every_script_are_folded_away_inside_their_word() -> None:
    # A mark left in place would cut its word in two: marks are not word characters.
    assert normalise_key("Cafe\u0301s na\u0308ive") == "cafes naive"
    assert normalise_key("\U0001e922\U0001e944\U0001e923") == "\U0001e922\U0001e923"  # Adlam (a plane-1 mark)
