"""Where a speaker description ends: before a relative or participle clause ("..., who spoke on condition")."""

from __future__ import annotations

from typing import Any

_BREAKS = {",", "(", "—", "–", ";", ":", "who", "whom", "whose", "which", "that"}


def clip_clause(doc: Any, head: int, right: int) -> int:
    """The last token index of a description headed at `head` and running to `right`, cut before a comma,
    a relative pronoun or a participle clause ("a member of the team, who spoke ...", "a source speaking ...")."""
    for i in range(head + 1, right + 1):
        tok = doc[i]
        if tok.lower_ in _BREAKS or tok.dep_ in {"relcl", "acl"} and tok.tag_ in {"VBG", "VBN"} and i > head + 1:
            return max(head, i - 1)
    return right
