"""People of an article: places are never people, and namesakes with different first names stay apart."""

from __future__ import annotations

from bot.brief.people import PeopleIndex


def test_a_place_used_as_a_subject_is_not_a_person(nlp):
    text = ("Rune Dahl runs the only bakery left in the district of Brennvik.\n"
            "Brennvik was once the busiest fishing town on the coast, a maze of sheds and smokehouses.\n"
            "Dahl says he will stay as long as the flour arrives.")
    people = PeopleIndex(nlp(text), [])
    names = {n for p in people.people for n in p.names}
    assert "Brennvik" not in names
    assert any("Dahl" in n for n in names)


def test_namesakes_with_different_first_names_are_two_people(nlp):
    text = ("Arvid Holm, the foreman, checks the crane every morning.\n"
            "Holm said the steel had not arrived.\n"
            "His daughter, Lene Holm, is an engineer at the port.\n"
            "She said the delay was costing them a week.")
    people = PeopleIndex(nlp(text), [])
    holms = [p for p in people.people if any("Holm" in n for n in p.names)]
    assert len(holms) == 2
    assert {p.canonical for p in holms} == {"Arvid Holm", "Lene Holm"}
    assert people.antecedent(text.index("She said"), "she").canonical == "Lene Holm"


def test_a_capitalised_stop_word_is_not_a_person(nlp):
    text = ("Down in the valley, the river has risen again.\n"
            "Ingrid Sola said the dam would hold.")
    people = PeopleIndex(nlp(text), [])
    assert all(p.canonical != "Down" for p in people.people)


def test_a_lone_first_name_with_an_age_is_a_person(quotes_of):
    qs = quotes_of('''
"We fixed the pumps in a week last time," a foreman named Oleh Marchenko said of an earlier flood.
Serhiy, 52, worked for twenty years at the pumping station. He left the town in the autumn.
"The pumps are fine. It is the people who know them who are gone."
''')
    assert qs[-1].speaker == "Serhiy"


def test_a_name_after_an_opening_phrase_is_the_subject(nlp):
    text = ("Lars Eng, a ferry captain, said the crossing was rough.\n"
            "On the edge of the old quay, Petra Holm, 73, walks her dog every morning.\n"
            "She said the sea had never been so quiet.")
    people = PeopleIndex(nlp(text), [])
    assert people.antecedent(text.index("She said"), "she").canonical == "Petra Holm"
    holm = next(m for m in people.mentions if m.person.canonical == "Petra Holm")
    assert holm.subject


def test_he_after_a_paragraph_that_brings_in_a_newcomer(quotes_of):
    qs = quotes_of('''
Mark Ellis, the alliance's chief, said the plan was sound and the troops were ready.
In the port I spent a morning with a sergeant, a former baker who asked to be named only as Andriy.
"Everyone abroad wants to protect us from very far away," he said, smiling.
''')
    assert qs[-1].speaker == "Andriy"


def test_he_stays_with_the_subject_when_the_newcomer_paragraph_has_one(quotes_of):
    qs = quotes_of('''
Tomas Vik, the deputy minister, spoke after the meeting.
He was warmer when asked about Andriy Koval, calling him a partner who listens.
"We must stop asking for permission and start acting together," he said.
''')
    assert qs[-1].speaker == "Tomas Vik"


def test_a_story_city_tagged_as_a_person_is_never_a_speaker(quotes_of):
    text = """
    Marco Rubio and Dan Driscoll have listened to Kyiv and pushed back on some of Moscow's demands.
    A friend in Kharkiv, a doctor, wrote to me this week.
    "I do not need a peace that lets me sleep for two years," she wrote.
    """
    speakers = {q.speaker for q in quotes_of(text)}
    assert not speakers & {"Kyiv", "Kharkiv", "Moscow"}


def test_a_passive_subject_is_who_he_means(quotes_of):
    text = """
    Steve Witkoff, special envoy
    A New York real estate developer and one of Donald Trump's oldest friends, Witkoff was first sent to the Middle East. He has met Vladimir Putin more often than any other Western official. "I'm a guy who closes deals," he said in an interview.
    """
    assert [(q.speaker, q.text) for q in quotes_of(text)] == [("Steve Witkoff", "I'm a guy who closes deals,")]


def test_a_name_the_parser_hung_inside_the_subject_is_the_subject(quotes_of):
    text = """
    Yuri Ushakov, foreign policy aide to Putin
    A former ambassador to Washington, Ushakov, 79, is Putin's most senior foreign policy adviser. He tends to give the first Kremlin readout. "We are not in a hurry, but we are not against speed either," he said after one meeting.
    """
    assert [q.speaker for q in quotes_of(text)] == ["Yuri Ushakov"]


def test_a_given_name_opening_an_institution_or_street_is_no_person(nlp):
    from bot.brief.first_names import tagged_name

    doc = nlp("Students at Taras Shevchenko University and shoppers on Ivan Franko Street said little.")
    assert [doc[2:5].text, doc[8:11].text] == ["Taras Shevchenko University", "Ivan Franko Street"]
    assert tagged_name(doc[2:5]) is None and tagged_name(doc[8:11]) is None
    doc = nlp("The commissioner, Tatyana Moskalkova, said more lists had been handed over.")
    assert tagged_name(doc[3:5]).text == "Tatyana Moskalkova"
