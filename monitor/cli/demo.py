"""The `demo` command: the whole product on bundled real pages, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monitor.runtime.console import fail_cleanly

__all__ = ["demo"]


@fail_cleanly
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo database and digest are written.")] = Path("demo-data"),
) -> None:
    """Run the whole product on bundled real pages served from 127.0.0.1 (no internet needed)."""
    from monitor.demo.run import run_demo  # loaded on use: `monitor` starts fast

    run_demo(data_dir)
