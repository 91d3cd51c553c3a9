"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monitor.testsite import TestSite


@pytest.fixture(scope="session")
def testsite() -> Iterator[TestSite]:
    """One local HTTP site for the session; call `testsite.reset()` before configuring it in a test."""
    with TestSite() as site:
        yield site
