"""The `monitor` command: collect public reviews, find unhappy reviewers and template replies, queue outreach."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli.check import check_reply_cmd
from monitor.cli.collect import crawl, import_cmd, init, sources_cmd
from monitor.cli.demo import demo
from monitor.cli.digest import digest
from monitor.cli.probe import probe
from monitor.cli.reply import reply_cmd
from monitor.cli.report import report
from monitor.cli.reviews import reviews
from monitor.cli.runs import runs
from monitor.cli.serve import serve
from monitor.cli.tasks import tasks_app
from monitor.cli.template_list import list_templates
from monitor.cli.templates import templates_app
from monitor.cli.users import users_app
from monitor.cli.web import web
from monitor.cli.worker import jobs, worker
from monitor.runtime.context import AppContext

app = typer.Typer(
    help=(
        "Review-response monitor: watches public review sites, finds unhappy reviewers and the template replies a "
        "company posted to them, and queues every unhappy reviewer for personal outreach.\n\n"
        "Start with `monitor demo` (no internet needed), then write a monitor.toml (see the README) and run "
        "`monitor init`, `monitor crawl`, `monitor serve`."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML configuration file (default: $MONITOR_CONFIG or ./monitor.toml).",
        envvar="MONITOR_CONFIG",
        show_envvar=False,
    ),
]


@app.callback()
def main(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Review-response monitor."""
    ctx.obj = AppContext(config)


# Every command is mounted here, in the order `monitor --help` lists them; each lives in its group's module.
app.command()(init)
app.command()(crawl)
app.command("sources")(sources_cmd)
app.command()(reviews)
app.command("import")(import_cmd)
app.command()(serve)
app.command()(demo)
app.command("check-reply")(check_reply_cmd)
app.command("probe")(probe)
app.command("runs")(runs)
app.command("digest")(digest)
app.command("report")(report)
templates_app.command("list")(list_templates)
app.add_typer(templates_app, name="templates")
tasks_app.command("reply")(reply_cmd)
app.add_typer(tasks_app, name="tasks")
app.command("web")(web)
app.add_typer(users_app, name="users")
app.command("worker")(worker)
app.command("jobs")(jobs)

if __name__ == "__main__":
    app()
