"""Fuzzing the API from its own OpenAPI document with schemathesis, as the review's chair.

Bounded so that it runs within ``make test`` in a few minutes on a small machine: a fixed
number of examples per operation, derandomised (the same cases on every run), no shrinking.
It fails on any 5xx answer, a body that breaks the documented schema, or a status or content
type the document does not list; the message lists every operation that failed.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.conftest import World

# Examples per operation; LR_FUZZ_EXAMPLES raises it for a longer run by hand.
EXAMPLES = int(os.environ.get("LR_FUZZ_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _fuzz(operation: Any, headers: dict[str, str], review_id: int) -> None:
    @FUZZ_SETTINGS
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        # Half the generated review ids become the world's review, so that operations get
        # past "not found" into their handling of the generated bodies and parameters.
        generated = (case.path_parameters or {}).get("review_id")
        if isinstance(generated, int) and generated % 2 == 0:
            case.path_parameters["review_id"] = review_id
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_answers_as_its_document_says(app: Flask, api: Any, world: World) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = api("chair")
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, headers, world.review_id)
        except (FailureGroup, AssertionError) as error:
            failures.append(f"{operation.label}: {error}")
    assert operations > 50  # the whole API was fuzzed, not an empty document
    assert failures == [], "\n\n".join(failures)
