"""A quote with no cue of its own, opening a paragraph after one that introduces its speaker."""

from __future__ import annotations


def test_multi_paragraph_quote_after_an_introduction_without_colon(quotes_of):
    qs = quotes_of('''
"We are doing what we can with two boats and one engineer," the ferry company's director, Per Olsen, said on Monday.
The ferry to the island has been cancelled twice this month.
Maria Jensen, a harbour pilot who has worked the strait for twenty years, says the timetable is fiction.
"Nobody believes the winter schedule anymore. The boats leave when the wind lets them, not when the paper says.
"My grandfather kept a notebook of every crossing. Mine looks the same as his, only the boats are bigger."
''')
    assert len(qs) == 3
    assert [q.speaker for q in qs[1:]] == ["Maria Jensen", "Maria Jensen"]


def test_answered_is_a_speech_cue(quotes_of):
    qs = quotes_of('''
A reporter asked whether the harbour would reopen before spring.
"That depends entirely on the ice and on nobody else," Talvik answered, before leaving the room.
''')
    assert [q.speaker for q in qs] == ["Talvik"]
    assert qs[0].method == "direct"
