"""One helper to find recorded real pages and exports under tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(*parts: str) -> Path:
    """Path of a file under tests/fixtures/, failing loudly when it is missing."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"test fixture missing: {path}")
    return path
