"""Plain data types shared by every stage of the brief engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One key claim; `sentence` is the index of its source sentence in the cleaned text."""

    text: str
    sentence: int


@dataclass(frozen=True)
class Quote:
    """One direct quote: `text` is the words between the marks, verbatim from the cleaned text."""

    text: str
    speaker: str
    speaker_key: str
    role: str | None
    cue: str | None
    method: str
    confidence: float
    start: int = -1
    end: int = -1

    def to_json(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "speaker_key": self.speaker_key,
            "role": self.role,
            "text": self.text,
            "cue": self.cue,
            "method": self.method,
            "confidence": round(self.confidence, 3),
        }


@dataclass
class Brief:
    """The brief of one article."""

    title: str | None
    claims: list[Claim]
    quotes: list[Quote]
    text: str = ""
    mode: str = "extractive"
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "claims": [asdict(c) for c in self.claims],
            "quotes": [q.to_json() for q in self.quotes],
            "mode": self.mode,
            "notes": list(self.notes),
        }
