"""Fixtures of the demo-source tests: demo databases on the real local MariaDB, named od_test_demo_*, dropped
at the end of the session."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from demo.demo_support import LARGER_PATIENTS, SMALL_PATIENTS, DemoDb, DemoFactory, connect, demo_url
from opendental_demo.generate import build_demo_source
from opendental_demo.quirks import expected_quirks


@pytest.fixture(scope="session")
def new_database_name() -> Iterator[Callable[[str], str]]:
    """Makes unique od_test_demo_<label>_<hex> names; drops every such database at the end."""
    made: list[str] = []

    def make(label: str) -> str:
        name = f"od_test_demo_{label}_{uuid.uuid4().hex[:8]}"
        made.append(name)
        return name

    yield make
    with connect() as conn, conn.cursor() as cur:
        for name in made:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(scope="session")
def build_demo(new_database_name: Callable[[str], str]) -> DemoFactory:
    """Builds a demo source in a fresh database: ``build_demo(label, patients, seed=42)``."""

    def build(label: str, patients: int, seed: int = 42) -> DemoDb:
        database = new_database_name(label)
        url = demo_url(database)
        counts = build_demo_source(url, patients, seed)
        return DemoDb(database, url, patients, seed, counts, expected_quirks(patients, seed))

    return build


@pytest.fixture(scope="session")
def small_demo(build_demo: DemoFactory) -> DemoDb:
    """A read-only demo source shared by the tests that only look."""
    return build_demo("small", SMALL_PATIENTS)


@pytest.fixture(scope="session")
def larger_demo(build_demo: DemoFactory) -> DemoDb:
    return build_demo("larger", LARGER_PATIENTS)
