"""Fixtures of the page query tests: the 2009 sections and seven ordinary stores."""

import pytest

from inspection.queries.results import scored_sections


@pytest.fixture
def sections(standard):
    return scored_sections(standard)


@pytest.fixture
def ordinary(make_store):
    return [make_store(name=f"普通{n}") for n in range(1, 8)]
