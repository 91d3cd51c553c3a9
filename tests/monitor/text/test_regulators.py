"""The named-regulator list and its matcher: letter case, ambiguous abbreviations, inflection, extra names."""

from __future__ import annotations

from importlib import resources

import pytest

from monitor.text.lexicons import fold
from monitor.text.regulators import check_extra, find_regulators, parse_regulators, regulators


def test_the_list_covers_the_major_markets_and_says_where_it_comes_from() -> None:
    lines = resources.files("monitor.text").joinpath("regulators.txt").read_text("utf-8").splitlines()
    header = " ".join(line for line in lines[:3] if line.startswith("#"))
    assert "general knowledge" in header
    countries = {body.country for body in regulators()}
    markets = "US GB EU DE FR ES PT RO SK FI ZA IN SG MY ID PH AU CA BR TR IL RU AE SA"
    assert set(markets.split()) <= countries
    abbreviations = {abbr.lstrip("=?") for body in regulators() for abbr in body.abbreviations}
    assert {"CFPB", "FCA", "FOS", "BaFin", "ICASA", "ICO", "ACCC", "RBI", "MAS", "BNM", "OJK"} <= abbreviations
    assert {"BSP", "CNIL", "ANPC", "BDDK", "ЦБ"} <= abbreviations


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I am reporting you to Icasa today", ["Icasa"]),
        ("Escalated to the FCA and the Financial Ombudsman Service", ["FCA", "Financial Ombudsman Service"]),
        ("Will be reporting them to the NCR", ["NCR"]),
        ("Worst cabs in Noida/NCR", []),
        ("THAT IS NOT THE CASE, OPEN A CASE", []),
        ("Someone should bring it up to CASE Singapore", ["CASE"]),
        ("Complained to MAS about it", ["MAS"]),
        ("Es mas barato que un taxi", []),
        ("Şikayetimi BDDK'ya ilettim", ["BDDK'ya"]),
        ("Напишу в Роспотребнадзор", ["Роспотребнадзор"]),
        ("Жалоба отправлена в Роспотребнадзора отдел", ["Роспотребнадзора"]),
        ("פניתי ולבנק ישראל", ["ולבנק ישראל"]),
        ("The Banca d'Italia was told", ["Banca d'Italia"]),
    ],
)
def test_mentions_are_found_as_written(text: str, found: list[str]) -> None:
    assert find_regulators(text) == found


def test_an_ambiguous_abbreviation_counts_beside_another_regulator() -> None:
    assert find_regulators("NCR") == []
    assert find_regulators("NCR", beside=True) == ["NCR"]
    assert find_regulators("ICASA and NCR") == ["ICASA", "NCR"]


def test_extra_names_and_exact_case_abbreviations() -> None:
    extra = check_extra([" Hello Bank Ombud ", "=HBO"])
    assert extra == ("Hello Bank Ombud", "=HBO")
    assert find_regulators("I wrote to the hello bank ombud and HBO", extra) == ["hello bank ombud", "HBO"]
    assert find_regulators("watching hbo tonight", extra) == []


@pytest.mark.parametrize("entries", [[""], ["   "], ["Ab*"], ["*"]])
def test_unusable_extra_names_are_refused(entries: list[str]) -> None:
    with pytest.raises(ValueError):
        check_extra(entries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("banking | Name | ABBR\n", "line 1"),
        ("[US]\nbank | Name | ABBR\n", "line 2"),
        ("[US]\nbanking | Name\n", "line 2"),
        ("[US]\nbanking | | \n", "neither"),
    ],
)
def test_a_malformed_list_names_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_regulators(text)


@pytest.mark.parametrize("entry", ["?", "=", "? ", "=  "])
def test_an_abbreviation_mark_with_nothing_after_it_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="nothing to match"):
        check_extra([entry])
    # Given straight to the matcher, it is the same clear error, not an IndexError on every review.
    with pytest.raises(ValueError, match="nothing to match"):
        find_regulators("I will report you to the FCA", [entry])
    with pytest.raises(ValueError, match="nothing to match"):
        find_regulators("I will report you to the FCA", [""])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("J'ai saisi l'ACPR", ["l'ACPR"]),
        ("Plainte déposée auprès de l'ARCEP", ["l'ARCEP"]),
        ("Je vais signaler ça à l’AMF", ["l’AMF"]),
        ("Ho scritto all'AGCOM", ["all'AGCOM"]),
        ("REPORTING YOU TO ASIC", ["ASIC"]),
        ("THE ASIC CHIP IS GREAT", []),
        ("मैं आरबीआई में शिकायत करूंगा", ["आरबीआई"]),
        ("जल्द ही भारतीय रिज़र्व बैंक को लिखूंगा", ["भारतीय रिज़र्व बैंक"]),
        ("จะร้องเรียนธนาคารแห่งประเทศไทย", ["ธนาคารแห่งประเทศไทย"]),
        ("ร้องเรียน ธปท. แล้ว", ["ธปท"]),
        ("แจ้งสคบ.แล้ว", ["สคบ"]),
        ("Tôi sẽ khiếu nại lên Ngân hàng Nhà nước", ["Ngân hàng Nhà nước"]),
        ("Voy a poner una queja en la OCU", ["OCU"]),
        ("Reported to the ＦＣＡ", ["FCA"]),
    ],
)
def test_elided_shouted_and_other_script_names_are_found(text: str, found: list[str]) -> None:
    assert find_regulators(text) == found


def test_the_major_markets_list_their_banking_telecom_and_consumer_bodies() -> None:
    countries = {body.country for body in regulators()}
    assert {"TH", "VN", "NG", "KE"} <= countries
    names = {fold(name) for body in regulators() for name in (*body.names, *body.abbreviations)}
    assert {"ocu", "ufc-que choisir", "ltfrb", "fomca", "สคบ", "กสทช", "ngan hang nha nuoc", "आरबीआई"} <= names


@pytest.mark.parametrize(
    "text",
    [
        "They are registered with OJK",
        "Regulated by the FCA",
        "Pay your BSP bills here",
        "FDIC insured deposits",
        "OJK-registered lender",
        "According to ICASA rules they must refund",
        "Registered with DTI and the BBB",
        "I took an OJK loan last year",
        "I took a BSP loan",
        "Die Bank wird von der BaFin reguliert",
        "Bank ini dikawal oleh BNM",
    ],
)
def test_a_body_merely_named_is_no_body_complained_to(text: str) -> None:
    assert find_regulators(text)
    assert find_regulators(text, escalated=True) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I will report you to the FCA", ["FCA"]),
        ("Taking this matter up with ICASA", ["ICASA"]),
        ("ICASA complaint lodged", ["ICASA"]),
        ("Şikayetimi BDDK'ya ilettim", ["BDDK'ya"]),
        ("Ich habe mich bei der BaFin beschwert", ["BaFin"]),
        ("I reported them to the FCA by email", ["FCA"]),
        ("Je vais aller à la CNIL", ["CNIL"]),
        # An ombudsman or a consumer body named in a review is the body complained to.
        ("The Financial Ombudsman Service is next", ["Financial Ombudsman Service"]),
        ("Procon neles", ["Procon"]),
    ],
)
def test_a_body_complained_to_is_kept(text: str, found: list[str]) -> None:
    assert find_regulators(text, escalated=True) == found


def test_a_companys_own_bodies_count_wherever_they_are_named() -> None:
    assert find_regulators("Telco Disputes Board", ["Telco Disputes Board"], escalated=True) == ["Telco Disputes Board"]
