"""Unnamed sources keep their place, possessors are not appositions, and misparsed cues keep their speaker."""

from __future__ import annotations


def test_unnamed_source_keeps_a_short_locative(quotes_of):
    qs = quotes_of('''
A European diplomat in Valletta who attended the dinner said the mood had changed.
"Nobody raised their voice, but nobody ordered dessert either, which tells you everything," the diplomat said.
''')
    assert qs[0].speaker == "a European diplomat in Valletta"
    # the key groups unnamed sources by what they are, wherever they sit: "quotes European diplomat" finds them all
    assert qs[0].speaker_key == "european-diplomat"


def test_possessor_after_an_according_to_source_is_not_the_source(quotes_of):
    qs = quotes_of("According to one person familiar with the bid, Jonas Berg's team sees the delay as "
                   '"a gift, not a setback," because it buys time.')
    assert qs[0].speaker == "one person familiar with the bid"


def test_speaker_before_a_cue_parsed_as_a_modifier(quotes_of):
    qs = quotes_of('''
Marco Rubio paused before answering. "I will not negotiate in public, and I will not do it here," he replied.
Sybiha, standing beside him, added with a smile: "And we have a very long table."
''')
    assert qs[-1].speaker == "Sybiha"


def test_it_said_skips_subjects_inside_the_quote(quotes_of):
    qs = quotes_of('''
The Borduria Foreign Ministry said it had hosted nine rounds of talks since the spring.
"The success of these rounds shows the trust both sides place in our mediators," it said.
''')
    assert qs[0].speaker_key == "borduria-foreign-ministry"


def test_whose_response_or_message_introduces_a_quote(quotes_of):
    text = """
    The Kremlin's adviser Yuri Ushakov has called a Ukrainian withdrawal "a key condition for peace".
    Zelensky's response has been consistent: "We will not give away our land. The people will decide."
    """
    assert [q.speaker for q in quotes_of(text)] == ["Yuri Ushakov", "Zelensky"]
