"""Stories fixtures: the real MiniLM encoder and spaCy pipeline, the evaluation set's articles, and empty stores."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.brief.models import get_encoder, get_nlp
from bot.store import Store, open_store
from stories_samples import SET_DIR
from tests.fakes.databases import empty_database


@pytest.fixture(scope="session")
def encoder() -> Any:
    return get_encoder()


@pytest.fixture(scope="session")
def nlp() -> Any:
    return get_nlp()


@pytest.fixture(scope="session")
def eval_index() -> list[dict[str, Any]]:
    return json.loads((SET_DIR / "index.json").read_text(encoding="utf-8"))["articles"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path, "stories") as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
