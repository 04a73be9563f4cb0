"""A quote introduced by "His description of the plan, in full:": the last named person of that gender."""

from __future__ import annotations

import re

from .people import PeopleIndex, Person

_LEAD = re.compile(r"(?m)(?:^|[.!?]\s+)((His|Her)\s[^.!?:]{0,80}:)\s*$")
_WITHIN = 400


def possessive_speaker(text: str, open_at: int, people: PeopleIndex) -> Person | None:
    """The he/she that a possessive-led colon intro right before `open_at` refers to: the latest person of known,
    fitting gender mentioned (outside quotes) in the sentences just before it."""
    para_lo = text.rfind("\n", 0, open_at) + 1
    m = _LEAD.search(text, para_lo, open_at)
    if m is None:
        return None
    want = "m" if m.group(2) == "His" else "f"
    lead = m.start(1)
    before = [x for x in people.mentions if x.end <= lead and lead - x.end <= _WITHIN
              and not people.inside_quote(x.start) and x.person.gender == want]
    return before[-1].person if before else None
