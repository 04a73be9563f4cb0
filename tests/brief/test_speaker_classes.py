"""Speaker classes: statement issuers, non-person words, descriptions taken up again, clipped source phrases."""

from __future__ import annotations

from bot.brief.people import PeopleIndex
from bot.brief.roles import by_role
from bot.brief.titled import titled_names


def _speakers(quotes_of, text: str) -> list[str]:
    return [q.speaker for q in quotes_of(text)]


def test_the_statement_speaks_for_whoever_issued_it(quotes_of):
    assert _speakers(quotes_of, '''
The Marrow Valley Water Board said in a statement that it "had not yet received any formal complaint about the dam."
"Every reservoir in the valley is inspected twice a year by independent engineers," the statement said.
''') == ["The Marrow Valley Water Board", "The Marrow Valley Water Board"]


def test_according_to_a_statement_issued_earlier(quotes_of):
    assert _speakers(quotes_of, '''
Edith Varga, a city councillor, did not attend the hearing but issued a statement on Friday evening.
"The harbour deserves a plan that survives the next election and the one after it," according to the statement.
''') == ["Edith Varga"]


def test_a_joint_statement_stays_the_speaker(quotes_of):
    speakers = _speakers(quotes_of, '''
The Norland and Vesterhavn delegations issued a joint statement after the talks on Thursday.
"The discussions were long but useful for both of our fishing fleets," the joint statement said.
''')
    assert len(speakers) == 1 and speakers[0].endswith("joint statement")


def test_a_sentence_opening_adjective_is_no_person(quotes_of):
    speakers = _speakers(quotes_of, '''
Harbour Minister Tomas Quillfeather met the dock workers on Monday.
Frozen wages
Quillfeather was blunt about the budget. "There is no money left in this year's harbour fund, none at all," he said.
''')
    assert speakers == ["Tomas Quillfeather"]


def test_first_person_in_running_text_is_not_the_speaker(quotes_of):
    speakers = _speakers(quotes_of, '''
"My brother has been at sea for eleven weeks now. I tell my children he is only fishing far away, said Greta, 38, who did not give her surname.
''')
    assert speakers == ["Greta"]


def test_the_minister_is_the_minister_named_earlier(quotes_of):
    speakers = _speakers(quotes_of, '''
Fisheries Minister Arvo Tennerstrand and harbour master Lise Holm toured the new quay on Tuesday.
"The quay will be ready before the herring season, whatever the weather does," the minister said.
''')
    assert speakers == ["Arvo Tennerstrand"]


def test_the_company_is_the_one_company_named_earlier(quotes_of):
    speakers = _speakers(quotes_of, '''
The island's ferry operator, Brakkvik, said two crossings would be cancelled on Sunday.
"The replacement engine will not arrive from the mainland before next month," the company said.
''')
    assert speakers == ["Brakkvik"]


def test_an_agency_described_by_its_seat(quotes_of):
    speakers = _speakers(quotes_of, '''
The Northern Fisheries Monitoring Agency said on Monday that the cod stock had shrunk again.
"Quotas for next year will have to fall by at least a fifth to protect the stock," the Oslo-based agency said.
''')
    assert speakers == ["the Northern Fisheries Monitoring Agency"]


def test_an_unnamed_source_keeps_a_short_affiliation(quotes_of):
    speakers = _speakers(quotes_of, '''
A source in the Norland fisheries delegation told reporters the talks would resume on Friday.
"Both sides want the quota question closed before the winter storms arrive," according to the source.
''')
    assert speakers == ["a source in the Norland fisheries delegation"]


def test_an_unnamed_source_loses_its_relative_clause(quotes_of):
    speakers = _speakers(quotes_of, '''
"We will not sign anything until the quota tables are attached to the text," according to a member of the Norland delegation, who spoke on condition of anonymity because the talks are private.
''')
    assert speakers == ["a member of the Norland delegation"]


def test_his_colon_intro_is_the_man_just_named(quotes_of):
    speakers = _speakers(quotes_of, '''
Norland will send a small team to the talks, led by chief negotiator Lars Sollvang. His summary of the plan, in full: "Short meetings, clear goals, no surprises at all."
''')
    assert speakers == ["Lars Sollvang"]


def test_a_heading_adjective_tagged_person_is_not_indexed(nlp):
    text = "Joan Pike opened the forum on Tuesday.\nFrozen assets\nPike was blunt about the budget."
    doc = nlp(text)
    assert any(e.text == "Frozen" and e.label_ == "PERSON" for e in doc.ents)  # the NER's mistake this guards
    names = {n for p in PeopleIndex(doc, []).people for n in p.names}
    assert "Frozen" not in names and "Joan Pike" in names


def test_a_name_after_a_role_title_is_a_person_when_the_ner_misses_it(nlp):
    doc = nlp("Ruritanian Trade Minister Oskar Vellemaa spoke at the forum on Tuesday.")
    doc.ents = []  # as when the NER leaves the name untagged
    assert [s.text for s in titled_names(doc)] == ["Oskar Vellemaa"]
    people = PeopleIndex(doc, [])
    person = people.person_for("Vellemaa")
    assert person is not None and person.canonical == "Oskar Vellemaa"
    assert by_role(people, "the minister", len(doc.text)) is person


def test_a_title_before_an_organisation_is_no_name(nlp):
    doc = nlp("The Trade Minister Office said on Tuesday that the forum would move.")
    doc.ents = []
    assert titled_names(doc) == []


def test_the_company_stays_as_written_when_two_companies_fit(quotes_of):
    speakers = _speakers(quotes_of, '''
The ferry operator, Brakkvik, and the rival operator, Sundlinje, both cancelled crossings on Sunday.
"The replacement engine will not arrive from the mainland before next month," the company said.
''')
    assert speakers == ["the company"]


def test_as_someone_put_it_is_a_cue(quotes_of):
    speakers = _speakers(quotes_of, '''
Ingrid Mohr, a fisheries researcher, has followed the quota talks for years.
Lars Sollvang said on Monday that the talks would resume. They may end, as Mohr put it, in "a handshake with nothing behind it."
''')
    assert speakers == ["Ingrid Mohr"]


def test_put_with_an_object_is_no_cue(quotes_of):
    speakers = _speakers(quotes_of, '''
Ingrid Mohr put the report on the table. "Nobody in this room has read all of it, and nobody will," Lars Sollvang said.
''')
    assert speakers == ["Lars Sollvang"]


def test_he_after_an_unnamed_source_is_that_source(quotes_of):
    text = """
    Rustem Umerov led the Ukrainian team into the hotel on Tuesday.
    A member of the Ukrainian delegation said the team had learned to read the Americans' moods. "We know when it's a good day to push," he said. "The worst thing is to surprise them."
    An Emirati official involved in arranging the talks described the country's role as modest.
    "We are mediators in the logistics, not in the substance," he said.
    """
    got = [q.speaker for q in quotes_of(text)]
    assert got == ["a member of the Ukrainian delegation"] * 2 + ["an Emirati official involved in arranging the talks"]


def test_he_stays_with_a_name_mentioned_after_the_unnamed_source(quotes_of):
    text = """
    A Ukrainian official familiar with the talks said Kyiv had not agreed to the sequencing.
    Asked about the report, President Volodymyr Zelenskiy's office referred Reuters to his comments earlier this week, when he said sanctions were "one of the few languages Moscow understands" and should stay.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Volodymyr Zelenskiy"]


def test_she_is_not_the_woman_who_told_her(quotes_of):
    text = """
    Halyna Marchenko has waited three years for her son.
    In January, a woman from the coordination headquarters told her that his name was on a list.
    "How do you not hope? They tell you don't hope, and then you don't sleep," she said.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Halyna Marchenko"]


def test_a_transcript_speaker_label_names_who_speaks(quotes_of):
    text = """
    DANIELLE ROSS, ANCHOR: Good evening. Secretary of State Marco Rubio said today that a deal is within reach.
    BEN CARVER, CORRESPONDENT: Danielle, the secretary spoke to us on his plane this afternoon.
    MARCO RUBIO, SECRETARY OF STATE (on tape): "We're down to a very small number of issues."
    CARVER: We went out to a market this afternoon.
    LARYSA, KYIV RESIDENT (on tape, through interpreter): "Of course we want it to end. My son is at the front."
    """
    got = [(q.speaker, q.method) for q in quotes_of(text)]
    assert got == [("Marco Rubio", "colon"), ("Larysa", "colon")]


def test_scoffed_and_a_person_familiar_with_events_who_said(quotes_of):
    text = """
    "A referendum with air raid sirens," scoffed a man in his 40s in a miner's fleece, who said he worked at a mine.
    Both were partly right, according to a person familiar with the day's events, who said the team had left the room "for a long coffee break, to calm down".
    """
    assert [q.speaker for q in quotes_of(text)] == ["a man", "a person familiar with the day's events"]


def test_an_interviewers_initials_are_not_the_subject(quotes_of):
    text = """
    YT: How did you respond?
    OM: Rustem Umerov answered him. It was polite and it was short.
    YT: Dmitry Peskov said on Thursday that the energy truce was "a confirmation of our political will" on Russia's part.
    """
    assert [q.speaker_key for q in quotes_of(text)] == ["peskov"]


def test_the_source_is_the_unnamed_member_never_a_named_person(quotes_of):
    text = """
    Finnish President Alexander Stubb arrived in Geneva on Wednesday for talks with European partners.
    A member of the Ukrainian delegation in Geneva has told us an agreement on energy could come as early as Thursday.
    "We are close on energy. Very close. It could be announced tomorrow," the source said.
    """
    got = [q.speaker for q in quotes_of(text)]
    assert got == ["a member of the Ukrainian delegation in Geneva"]


def test_an_acronym_label_stays_an_acronym(quotes_of):
    text = """
    The alliance issued its reply overnight.
    NATO: "The alliance stands ready to support any arrangement that keeps the peace."
    """
    assert [q.speaker for q in quotes_of(text)] == ["NATO"]
