"""Schemathesis sends generated requests to every operation in /openapi.json: none may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from monitor.store.db import make_engine
from monitor.web.app import create_app
from tests.web.support import WebDb, bearer

schema = schemathesis.openapi.from_dict(create_app(make_engine("sqlite://")).openapi())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_operation_fails_with_a_server_error(case: schemathesis.Case, base_url: str, web_db: WebDb) -> None:
    response = case.call(base_url=base_url, headers=bearer(web_db, "meg"), timeout=30)
    case.validate_response(response, checks=[not_a_server_error])
