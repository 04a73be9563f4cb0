"""Shared helpers of the stories tests: the evaluation set's location and articles."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

SET_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "stories"


def read_article(name: str) -> tuple[str, str, datetime]:
    """(title, body, published) of one article of the evaluation set, by file stem."""
    index = json.loads((SET_DIR / "index.json").read_text(encoding="utf-8"))["articles"]
    item = next(i for i in index if Path(i["file"]).stem == name)
    title, _, body = (SET_DIR / item["file"]).read_text(encoding="utf-8").partition("\n")
    return title.strip(), body.strip(), datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
