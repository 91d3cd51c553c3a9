"""The Google Play Console reviews report (UTF-16 CSV, documented columns), written from real Google Play reviews:
detected without options, ids taken from the review links, the last update as the review's time, a later
month's report with an edited review is a change, not a new review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review, ReviewRevision, SourceRow
from responders.outreach.identity import store_of
from sources.exports.play_console import OPTIONAL, REQUIRED, review_id_from_link
from tests.export_files import read_csv_rows, write_csv_rows
from tests.fixture_path import fixture

runner = CliRunner()
GOOGLE_PLAY = fixture("google_play_export", "uber_google_play_2024_mojibake_400.csv")
CONSOLE = "https://play.google.com/console/developers/5550001/app/4970001/user-feedback/review-details"


def _moment(row: dict[str, str]) -> datetime:
    return datetime.strptime(row["at"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC)


def _report_rows(count: int) -> list[dict[str, str]]:
    """Report rows for the first `count` fixture reviews with a text; the ids are written as Play writes them."""
    rows = []
    for n, source in enumerate(row for row in read_csv_rows(GOOGLE_PLAY) if row["content"].strip()):
        if n == count:
            break
        at = _moment(source)
        millis = str(int(at.timestamp() * 1000))
        iso = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        replied = ""
        if source["replyContent"].strip():
            replied = datetime.strptime(source["repliedAt"], "%d-%m-%Y %H:%M").replace(tzinfo=UTC)
        row = dict.fromkeys((*REQUIRED, *OPTIONAL), "")
        row.update(
            {
                "Package Name": "com.ubercab",
                "App Version Name": source["appVersion"],
                "Reviewer Language": "en_IN" if n % 2 else "en",
                "Review Submit Date and Time": iso,
                "Review Submit Millis Since Epoch": millis,
                "Review Last Update Date and Time": iso,
                "Review Last Update Millis Since Epoch": millis,
                "Star Rating": source["score"],
                "Review Text": source["content"],
                "Developer Reply Text": source["replyContent"],
                "Developer Reply Date and Time": replied.strftime("%Y-%m-%dT%H:%M:%SZ") if replied else "",
                "Developer Reply Millis Since Epoch": str(int(replied.timestamp() * 1000)) if replied else "",
                "Review Link": f"{CONSOLE}?reviewId={quote(f'gp:AOqpTO{n:04d}', safe='')}&corpus=PUBLIC_REVIEWS",
            }
        )
        rows.append(row)
    return rows


def _write_report(path: Path, rows: list[dict[str, str]]) -> Path:
    """`rows` as Play Console writes its reports: UTF-16 with a byte order mark."""
    return write_csv_rows(path, rows, encoding="utf-16")


def _import(tmp_path: Path, path: Path) -> Result:
    env = {"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    return runner.invoke(app, ["import", str(path), "--company", "Uber", "--source-name", "play"], env=env)


def _reviews(tmp_path: Path) -> dict[str, Review]:
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        found = {review.site_review_id: review for review in session.exec(select(Review).order_by(col(Review.id)))}
        for review in found.values():
            session.expunge(review)
    engine.dispose()
    return found


def test_a_report_is_read_without_options_with_the_stores_review_ids(tmp_path: Path) -> None:
    rows = _report_rows(40)
    result = _import(tmp_path, _write_report(tmp_path / "reviews_com.ubercab_202412.csv", rows))
    assert result.exit_code == 0, result.output
    assert "read as play_console (utf-16)" in result.stdout
    assert "rows read 40: 40 new, 0 changed, 0 unchanged, 0 skipped" in result.stdout
    stored = _reviews(tmp_path)
    assert sorted(stored) == sorted(f"gp:AOqpTO{n:04d}" for n in range(40))
    for n, row in enumerate(rows):
        review = stored[f"gp:AOqpTO{n:04d}"]
        assert review.rating == float(row["Star Rating"])
        assert review.published_at == datetime.fromtimestamp(
            int(row["Review Last Update Millis Since Epoch"]) / 1000, UTC
        )
        assert review.body
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        replies = session.exec(select(CompanyReply)).all()
        (source,) = session.exec(select(SourceRow)).all()
    engine.dispose()
    assert len(replies) == sum(1 for row in rows if row["Developer Reply Text"].strip())
    # Read in auto mode, the source still says which store its reviews are of: the API's copies are their twins.
    assert (source.options["format"], source.options["layout"], store_of(source)) == (
        "auto",
        "play_console",
        "google_play",
    )


def test_next_months_report_with_an_edited_review_changes_it(tmp_path: Path) -> None:
    rows = _report_rows(30)
    assert _import(tmp_path, _write_report(tmp_path / "reviews_com.ubercab_202411.csv", rows)).exit_code == 0
    edited = dict(rows[3])
    later = datetime.fromtimestamp(int(edited["Review Submit Millis Since Epoch"]) / 1000, UTC) + timedelta(days=9)
    edited["Review Text"] = "Edited: the refund never came and support stopped answering."
    edited["Star Rating"] = "1"
    edited["Review Last Update Millis Since Epoch"] = str(int(later.timestamp() * 1000))
    edited["Review Last Update Date and Time"] = later.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = _import(
        tmp_path, _write_report(tmp_path / "reviews_com.ubercab_202412.csv", [*rows[:3], edited, *rows[4:]])
    )
    assert result.exit_code == 0, result.output
    assert "rows read 30: 0 new, 1 changed, 29 unchanged" in result.stdout
    review = _reviews(tmp_path)["gp:AOqpTO0003"]
    assert (review.body, review.rating, review.published_at) == (edited["Review Text"], 1.0, later)
    assert review.extra["submitted_at"] == rows[3]["Review Submit Date and Time"].replace("Z", "+00:00")
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        revisions = session.exec(select(ReviewRevision).where(ReviewRevision.review_id == review.id)).all()
    engine.dispose()
    assert len(revisions) == 2


def test_rows_whose_link_names_no_id_are_told_apart_by_submit_time_and_import_once(tmp_path: Path) -> None:
    rows = [{**row, "Review Link": ""} for row in _report_rows(25)]
    path = _write_report(tmp_path / "reviews_com.ubercab_202412.csv", rows)
    assert "rows read 25: 25 new" in _import(tmp_path, path).stdout
    again = _import(tmp_path, path)
    assert "rows read 25: 0 new, 0 changed, 25 unchanged" in again.stdout


def test_a_row_without_stars_is_skipped_and_named(tmp_path: Path) -> None:
    rows = _report_rows(60)
    rows[5]["Star Rating"] = ""
    result = _import(tmp_path, _write_report(tmp_path / "reviews.csv", rows))
    assert result.exit_code == 0, result.output
    assert "rows read 60: 59 new" in result.stdout and "rating missing" in result.stdout
    assert "gp:AOqpTO0005" not in _reviews(tmp_path)


def test_a_link_outside_googles_pages_is_not_kept_as_the_reviews_address(tmp_path: Path) -> None:
    rows = _report_rows(3)
    rows[1]["Review Link"] = "https://play.google.com.evil.example/x?reviewId=gp:AOqpTO0001"
    rows[2]["Review Link"] = "javascript:alert(1)//play.google.com?reviewId=gp:AOqpTO0002"
    assert _import(tmp_path, _write_report(tmp_path / "reviews.csv", rows)).exit_code == 0
    stored = _reviews(tmp_path)
    assert stored["gp:AOqpTO0000"].url == rows[0]["Review Link"]
    assert stored["gp:AOqpTO0001"].url is None and stored["gp:AOqpTO0002"].url is None


def test_the_devices_language_stands_only_for_texts_too_short_to_tell(tmp_path: Path) -> None:
    # Real reviews in the languages added later, each from a phone set to English (Reviewer Language is the device's).
    labelled = read_csv_rows(fixture("negativity", "new_languages_dev_rows.csv"))
    rows = _report_rows(len(labelled) + 1)
    for row, real in zip(rows, labelled, strict=False):
        row["Review Text"], row["Reviewer Language"] = real["content"], "en_US"
    rows[-1]["Review Text"], rows[-1]["Reviewer Language"] = "Jelek", "in_ID"  # too short to tell: the device's
    assert _import(tmp_path, _write_report(tmp_path / "reviews.csv", rows)).exit_code == 0
    stored = _reviews(tmp_path)
    found = [stored[f"gp:AOqpTO{n:04d}"].language for n in range(len(rows))]
    # Hinglish ("hi-Latn" in the labels) is told by no detector here: the device's English stands, whose lexicons
    # read Hinglish too.
    assert found == [real["language"].replace("hi-Latn", "en") for real in labelled] + ["id"]


def test_review_ids_are_read_from_every_known_link_form() -> None:
    assert review_id_from_link(f"{CONSOLE}?reviewId=gp%3AAOqpTOE7x&corpus=PUBLIC_REVIEWS") == "gp:AOqpTOE7x"
    assert (
        review_id_from_link("http://play.google.com/apps/publish?account=1#ReviewDetailsPlace:p=com.a&reviewid=gp:AO9")
        == "gp:AO9"
    )
    assert review_id_from_link("https://play.google.com/store/apps/details?id=com.ubercab&reviewId=gp:AO1") == "gp:AO1"
    assert review_id_from_link("https://play.google.com/store/apps/details?id=com.ubercab") is None
    assert review_id_from_link("") is None
