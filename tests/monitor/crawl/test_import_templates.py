"""Template figures after an import: reviewers are judged after the replies are clustered, so the figures that
depend on the verdicts (unhappy recipients, unhappy share, kind) are recounted once the verdicts are in."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from monitor.cli.main import app
from monitor.runtime.context import open_database
from monitor.store.models import CompanyReply, Review
from monitor.store.template_models import ReplyTemplate
from responders.template_replies.clusters import ClusterSettings, template_kind
from responders.template_replies.stored_replies import recipient_key
from tests.fixture_path import fixture

runner = CliRunner()
APP_STORE = fixture("app_store_export", "sg_food_delivery_app_store_400.csv")


def _config(tmp_path: Path, threshold: float) -> str:
    path = tmp_path / "monitor.toml"
    path.write_text(
        f'database_url = "sqlite:///{tmp_path / "m.db"}"\n'
        f'[[company]]\nname = "Grab"\nunhappy_threshold = {threshold}\n',
        encoding="utf-8",
    )
    return str(path)


def _figures_from_replies(
    tmp_path: Path,
) -> tuple[dict[str, tuple[int, float | None, str]], dict[str, tuple[int, float | None, str]]]:
    """(stored, recounted here) per active template: unhappy recipients, unhappy share, kind."""
    engine = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with Session(engine) as session:
        stored = {
            t.id: (t.unhappy_recipients, t.unhappy_share, t.kind)
            for t in session.exec(select(ReplyTemplate).where(ReplyTemplate.active == True))  # noqa: E712
        }
        keys = {t.id: t.representative for t in session.exec(select(ReplyTemplate))}
        members: dict[str, list[Review]] = {}
        for reply, review in session.exec(
            select(CompanyReply, Review).join(Review).where(CompanyReply.template_id != None)  # noqa: E711
        ):
            members.setdefault(reply.template_id or "", []).append(review)
    engine.dispose()
    recounted = {}
    for template_id, reviews in members.items():
        unhappy = {recipient_key(r.source_id, r.author_handle, r.author_name, r.id or 0) for r in reviews if r.unhappy}
        judged = [r.unhappy for r in reviews if r.unhappy is not None]
        share = round(sum(judged) / len(judged), 4) if judged else None
        recounted[template_id] = (len(unhappy), share, template_kind(keys[template_id], share, ClusterSettings()))
    return stored, recounted


def test_imported_templates_count_the_unhappy_reviewers_they_answered(tmp_path: Path) -> None:
    result = runner.invoke(app, ["-c", _config(tmp_path, 2.0), "import", str(APP_STORE), "--company", "Grab"])
    assert result.exit_code == 0, result.output
    stored, recounted = _figures_from_replies(tmp_path)
    assert stored == recounted
    assert sum(unhappy for unhappy, _, _ in stored.values()) > 50  # the fixture's templates answer complaints
    assert all(share is not None for _, share, _ in stored.values())


def test_tasks_rebuild_with_another_threshold_recounts_the_templates(tmp_path: Path) -> None:
    assert (
        runner.invoke(app, ["-c", _config(tmp_path, 2.0), "import", str(APP_STORE), "--company", "Grab"]).exit_code == 0
    )
    before, _ = _figures_from_replies(tmp_path)
    rebuilt = runner.invoke(app, ["-c", _config(tmp_path, 1.0), "tasks", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    after, recounted = _figures_from_replies(tmp_path)
    assert after == recounted
    assert sum(u for u, _, _ in after.values()) < sum(u for u, _, _ in before.values())
