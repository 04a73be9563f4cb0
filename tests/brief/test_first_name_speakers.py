"""A lone first name ("Halina said") is the one person the article fully named with it."""

from __future__ import annotations

from bot.brief.first_names import full_name_spans
from bot.brief.people import PeopleIndex


def test_first_name_speaker_takes_the_full_name(quotes_of):
    qs = quotes_of('''
Halina Sorvik keeps the ferry timetable pinned above her stove in Tarnholm.
Her niece, Agata Sorvik, 24, drives in from the coast every weekend.
"The boat is late every winter, and every winter they promise a new one," Halina said.
"I stopped counting the promises after the third mayor," said Halina.
''')
    assert [q.speaker for q in qs] == ["Halina Sorvik", "Halina Sorvik"]


def test_first_name_shared_by_two_full_names_is_kept_as_written(quotes_of):
    qs = quotes_of('''
Halina Sorvik, 58, sells smoked fish at the pier in Tarnholm.
Her cousin, Halina Brekke, 61, runs the stall next to hers.
"Nobody buys herring when the wind comes from the north like this," Halina said.
''')
    assert qs[0].speaker == "Halina"


def test_untagged_full_name_is_found_only_outside_quotes(nlp):
    doc = nlp('Halina Sorvik waits. "Halina Brekke never writes back to anyone," Halina said.')
    doc.set_ents([], default="outside")  # as when the NER misses both full names
    quoted = doc.text.index('"'), doc.text.rindex('"')
    spans = full_name_spans(doc, "Halina", lambda pos: quoted[0] <= pos < quoted[1], set())
    assert [s.text for s in spans] == ["Halina Sorvik"]


def test_a_place_after_a_first_name_is_no_surname(nlp):
    doc = nlp("Halina Tarnholm waits.")
    doc.set_ents([], default="outside")
    assert full_name_spans(doc, "Halina", lambda pos: False, {"tarnholm"}) == []


def test_first_name_person_takes_a_full_name_the_ner_missed(nlp):
    text = 'Halina Sorvik keeps the ferry timetable above her stove. Her niece, Agata Sorvik, drives in on Sundays. ' \
           '"The boat is late every winter," Halina said.'
    doc = nlp(text)
    agata, lone = text.index("Agata Sorvik"), text.rindex("Halina")
    doc.set_ents([doc.char_span(agata, agata + 12, label="PERSON"), doc.char_span(lone, lone + 6, label="PERSON")],
                 default="outside")  # the NER tagged the niece and the lone first name, not "Halina Sorvik"
    quote = text.index('"'), text.rindex('"') + 1
    people = PeopleIndex(doc, [quote])
    assert people.person_for("Halina").canonical == "Halina Sorvik"
    assert people.person_for("Agata Sorvik").canonical == "Agata Sorvik"


FRONT = """
“Infantry, two of them, going towards the tree line,” says Vitalii, a 34-year-old pilot with a shaved head.
Nobody in the room comments. The headline on the next monitor is about Geneva.
“They talk about lines on maps. We live in holes in the ground,” he says later.
Its commander, a 38-year-old major with the call sign Bohun, was an accountant in Zaporizhzhia before the invasion.
“Every time there is a round of negotiations, they attack harder,” the former accountant said.
The incoming pilot, a lanky 22-year-old from Kharkiv who goes by Kit, can name the negotiators: Umerov, Witkoff, Kushner, the Russian Dmitriev.
“They want it finished. I also want it finished,” he says.
"""


def test_first_names_and_call_signs_at_the_front(quotes_of):
    assert [q.speaker for q in quotes_of(FRONT)] == ["Vitalii", "Vitalii", "Bohun", "Kit"]
