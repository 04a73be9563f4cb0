"""Descriptions that name no role on record still find their person: age and trade, party and state, a former
office, a nationality given in the introduction; unnamed officials and institutions stay as written."""

from __future__ import annotations


def _speakers(quotes_of, text):
    return [q.speaker for q in quotes_of(text)]


def test_an_age_with_a_trade_and_a_trade_alone(quotes_of):
    text = """
    Olha Savchuk, the school's principal, said most pupils had never had a normal year.
    Savchuk said she had started a tradition of ten extra minutes in the courtyard after each drill.
    "When there is peace, they will have the whole day outside," the 49-year-old principal said.
    Ukraine's human rights commissioner, Petro Lysak, told reporters the lists were still being checked.
    "There are people who have spent almost four years in those camps," the ombudsman added.
    """
    assert _speakers(quotes_of, text) == ["Olha Savchuk", "Petro Lysak"]


def test_party_and_state_and_a_former_office(quotes_of):
    text = """
    Majority Leader Jon Hartley made clear the bill would not move without the White House.
    "When the president says it's time, we'll move," the Iowa Republican said at his weekly news conference.
    British Prime Minister Keir Starmer hosted the meeting in London on Tuesday.
    NATO Secretary General Mark Rutte, who attended, said the allies were "fully behind" the effort.
    "The best guarantee for Ukraine is a strong Ukrainian army," the former Dutch prime minister told reporters.
    """
    assert _speakers(quotes_of, text) == ["Jon Hartley", "Mark Rutte"]


def test_a_nationality_from_the_introduction_far_back(quotes_of):
    text = """
    "An election after a ceasefire is harder to question," said Anders Lindqvist, a fellow at the Swedish Institute of International Affairs.
    Rachel Odum, a former State Department official now at a Washington think tank, disagreed. "Timing is everything here, and the timing is wrong," she said.
    Maria Hrytsak, a Kyiv lawyer, said the legal questions were solvable.
    "The worst outcome is an election that happens because of someone else's deadline," the Swedish analyst said.
    """
    assert _speakers(quotes_of, text)[-1] == "Anders Lindqvist"


def test_a_role_in_a_long_apposition(quotes_of):
    text = """
    Russia and the United States are discussing joint projects, Kirill Dmitriev, special presidential envoy for investment and economic cooperation with foreign countries and head of the Russian Direct Investment Fund (RDIF), told reporters.
    "Our American partners are pragmatic people. They count money," the head of the RDIF noted.
    """
    assert _speakers(quotes_of, text) == ["Kirill Dmitriev"]


def test_unnamed_officials_and_institutions_are_not_turned_into_people(quotes_of):
    text = """
    Steve Witkoff, the special envoy, has led the talks since the spring.
    "Nobody in this building thinks the map is solved," said a second administration official.
    The senior administration official described the Russian negotiators as "dug in on Donetsk and flexible on everything else."
    Sen. Jeanne Shaheen asked for a briefing on the plan's economic provisions.
    Asked for comment, the White House pointed to a statement: "The president has done more to end this war than anyone."
    """
    got = _speakers(quotes_of, text)
    assert got[1].lower() == "the senior administration official"
    assert got[2] == "the White House"
