"""Families: templates that are one canned message in reworded variants, found, stored, listed and reported."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.templates import templates_app
from monitor.digest.build import build_company_digest
from monitor.digest.model import Digest
from monitor.digest.render import render_html, render_text
from monitor.store.models import Company, SourceRow
from monitor.store.template_models import ReplyTemplate, TemplateFamily
from responders.template_replies import store
from responders.template_replies.clusters import find_templates
from responders.template_replies.families import FamilyMember, find_families
from responders.template_replies.index import TemplateIndex
from responders.template_replies.store import classify_company_replies
from tests.db_fixtures import add_company, add_reply, add_review, add_source, at, sqlite_session

NAMES = ["Thabo", "Anna", "Lerato", "Sipho", "Zanele", "Pieter", "Megan", "Bongani", "Grace", "Daniel", "Aisha"]
FRAME = "Hi {name}\nThank you for contacting Cell C.\n{body}\nRegards\n^MP"
IN_TOUCH = "Our team will be in touch to provide assistance."
MAKE_CONTACT = "Our team will make contact with you to provide assistance."
# One canned message in two wordings (each a template of its own), and four other messages with the same frame.
BODIES = [
    (IN_TOUCH, 12),
    (MAKE_CONTACT, 6),
    ("Please provide us with the details of your query so that we can assist accordingly.", 5),
    ("Have you seen your most recent invoice?", 4),
    ("Do you perhaps have a reference number that we can follow up on?", 4),
    ("Which device were you looking to apply for?", 3),
]


def cell_c_replies() -> list[str]:
    return [FRAME.format(name=NAMES[i % len(NAMES)], body=body) for body, count in BODIES for i in range(count)]


def test_reworded_variants_are_separate_templates_in_one_family() -> None:
    texts = cell_c_replies()
    report = find_templates(texts)
    assert len(report.templates) == 6
    in_touch, make_contact = report.template_ids[0], report.template_ids[12]
    assert in_touch != make_contact and None not in (in_touch, make_contact)
    by_id = report.by_id()
    assert by_id[in_touch].family_id == by_id[make_contact].family_id
    family = report.families[0]
    assert family.templates == [in_touch, make_contact]  # heaviest (the centre) first
    assert (family.size, family.recipients) == (18, 18)
    assert family.share == pytest.approx(18 / len(texts), abs=1e-4)
    assert family.skeleton.splitlines() == [
        "Hi {name}",
        "Thank you for contacting Cell C.",
        "Our team will {…} to provide assistance.",
        "Regards",
        "{agent}",
    ]
    assert family.name == "Our team will {…} to provide assistance."
    assert len(report.families) == 5 and all(len(f.templates) == 1 for f in report.families[1:])
    assert report.family_ids()[:18] == [family.id] * 18


def test_a_chain_of_variants_never_joins_messages_that_share_little() -> None:
    def member(number: int, key: str, replies: int) -> FamilyMember:
        return FamilyMember(f"t{number}", key, replies, replies, key, key)

    first = "we will follow up on this matter and revert to you shortly"
    middle = "we will follow up on this matter and call you back tomorrow morning"
    last = "we will follow up on this and call you back tomorrow morning with the details"
    pairs = find_families("", [member(2, middle, 30), member(3, last, 10)], 60, 0.55)
    assert [f.templates for f in pairs] == [["t2", "t3"]]  # the last is a variant of the middle one
    chain = find_families("", [member(1, first, 30), member(2, middle, 20), member(3, last, 10)], 60, 0.55)
    assert [f.templates for f in chain] == [["t1", "t2"], ["t3"]]  # but not of the first, the centre


def test_families_do_not_depend_on_the_order_of_the_replies() -> None:
    texts = cell_c_replies()
    forward, backward = find_templates(texts), find_templates(list(reversed(texts)))
    assert [(f.id, f.templates, f.skeleton, f.size) for f in forward.families] == [
        (f.id, f.templates, f.skeleton, f.size) for f in backward.families
    ]


def test_groups_have_their_own_families() -> None:
    texts = cell_c_replies()
    report = find_templates(texts + texts, groups=["a"] * len(texts) + ["b"] * len(texts))
    assert len(report.families) == 10
    assert {f.group for f in report.families} == {"a", "b"}
    assert all(f.share == pytest.approx(f.size / len(texts), abs=1e-4) for f in report.families)


def test_incremental_assignment_gives_the_template_family(tmp_path: Path) -> None:
    report = find_templates(cell_c_replies())
    index = TemplateIndex.from_report(report)
    family = report.families[0].id
    assert index.assign(FRAME.format(name="Ivan", body=MAKE_CONTACT)).family_id == family
    again = TemplateIndex.from_dict(json.loads(json.dumps(index.to_dict())))
    assert again.assign(FRAME.format(name="Olga", body=IN_TOUCH)).family_id == family
    assert again.assign("The rider was late and rude, I want my money back.").family_id is None
    old = index.to_dict()  # an index saved before families still loads, without them
    old["format"] = 1
    for item in old["templates"]:
        del item["family"]
    assigned = TemplateIndex.from_dict(old).assign(FRAME.format(name="Ivan", body=IN_TOUCH))
    assert assigned.template_id == report.template_ids[0] and assigned.family_id is None


def test_audit_json_names_the_family_of_each_row(tmp_path: Path) -> None:
    texts = cell_c_replies()
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(json.dumps({"reply": text}) for text in texts), encoding="utf-8")
    result = CliRunner().invoke(templates_app, ["audit", str(path), "--text-column", "reply", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["template"] != rows[12]["template"] and rows[0]["family"] == rows[12]["family"]
    assert rows[0]["family"].startswith("f") and rows[-1]["family"] != rows[0]["family"]
    summary = CliRunner().invoke(templates_app, ["audit", str(path), "--text-column", "reply"])
    assert "1 families of reworded variants" in summary.stdout and "Families of reworded variants" in summary.stdout


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    yield from sqlite_session(tmp_path)


def stored_company(session: Session) -> tuple[Company, SourceRow]:
    company = add_company(session)
    source = add_source(session, company)
    for number, text in enumerate(cell_c_replies()):
        review = add_review(session, source, published=at("2024-03-11 08:00"), handle=f"u{number}")
        add_reply(session, review, published=at("2024-03-11 09:00"), text=text)
    classify_company_replies(session=session, company_id=company.id or 0, now=at("2024-03-11 10:00"))
    return company, source


def largest_family(session: Session) -> TemplateFamily:
    families = sorted(session.exec(select(TemplateFamily)).all(), key=lambda f: -f.size)
    return families[0]


def test_stored_templates_carry_their_family(session: Session) -> None:
    company, _ = stored_company(session)
    result = classify_company_replies(session=session, company_id=company.id or 0, now=at("2024-03-11 10:00"))
    assert (result.templates, result.families) == (6, 5)
    family = largest_family(session)
    assert len(family.templates) == 2 and family.size == 18
    assert family.name == "Our team will {…} to provide assistance."
    members = session.exec(select(ReplyTemplate).where(ReplyTemplate.family_id == family.id)).all()
    assert sorted(t.id for t in members) == sorted(family.templates)


def test_new_replies_inherit_the_family_and_recount_it(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "FULL_BELOW_REPLIES", 10)  # small enough that this company gets a saved index
    company, source = stored_company(session)
    review = add_review(session, source, published=at("2024-03-11 11:00"), handle="late")
    add_reply(session, review, published=at("2024-03-11 11:30"), text=FRAME.format(name="Ivan", body=MAKE_CONTACT))
    result = classify_company_replies(
        session=session, company_id=company.id or 0, review_ids=[review.id or 0], now=at("2024-03-11 12:00")
    )
    assert result.mode == "incremental" and result.families == 1
    family = largest_family(session)
    assert family.size == 19 and family.share == pytest.approx(19 / 35, abs=1e-4)


def test_digest_reports_the_family_with_its_variants(session: Session) -> None:
    company, _ = stored_company(session)
    digest = build_company_digest(session=session, company=company, day=date(2024, 3, 11), now=at("2024-03-12 06:00"))
    first = digest.families_used[0]
    assert first.name == "Our team will {…} to provide assistance." and first.replies == 18
    assert [v.replies for v in first.variants] == [12, 6] and first.size == 18
    text = render_text(Digest(day=date(2024, 3, 11), generated_at=at("2024-03-12 06:00"), companies=[digest]))
    assert "“Our team will {…} to provide assistance.” (template): 18 replies" in text
    assert "2 variants: " in text
    page = render_html(Digest(day=date(2024, 3, 11), generated_at=at("2024-03-12 06:00"), companies=[digest]))
    assert "Our team will {…} to provide assistance." in page and "2 variants: " in page
