"""A scheduled export file read in auto mode and the same store's API are one review of one reviewer: the file
source records the layout it was read as, which tells the queue which store its reviews are of."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import SourceRow
from monitor.store.task_models import OutreachTask, TaskReview
from tests.api_fakes import FakeStoreApis, service_account_key
from tests.export_files import write_csv_rows
from tests.monitor.crawl.test_reply_posting import EMAIL, NOW, PACKAGE, _config, play_reviews, play_source


def test_an_export_crawled_in_auto_mode_and_the_api_make_one_task(tmp_path: Path) -> None:
    export = write_csv_rows(
        tmp_path / "play.csv",
        [
            {
                "reviewId": "gp:AOqpTOa1",
                "userName": "Ann Reviewer",
                "content": "The app crashes every time I open my orders since the last update.",
                "score": "1",
                "at": (NOW - timedelta(hours=3)).isoformat(),
            }
        ],
    )
    file_source = (
        f'[[company.source]]\nname = "play-export"\nkind = "file"\nlocator = "{export}"\nschedule = "manual"\n'
    )
    with FakeStoreApis() as fake:
        key, public = service_account_key(tmp_path, fake.token_uri)
        fake.google_keys[EMAIL] = public
        fake.play[PACKAGE] = play_reviews()
        config = _config(tmp_path, play_source(fake, key) + file_source)
        crawled = CliRunner().invoke(app, ["-c", str(config), "crawl"])
        assert crawled.exit_code == 0, crawled.output
    engine = open_database(f"sqlite:///{tmp_path / 'monitor.db'}")
    with Session(engine) as session:
        row = session.exec(select(SourceRow).where(SourceRow.name == "play-export")).one()
        (task,) = session.exec(select(OutreachTask).where(OutreachTask.reviewer_name == "Ann Reviewer")).all()
        linked = session.exec(select(TaskReview).where(TaskReview.task_id == task.id)).all()
    engine.dispose()
    assert (row.options.get("format", "auto"), row.options["layout"]) == ("auto", "google_play")
    assert len(linked) == 2  # the export's copy and the API's, in one task
