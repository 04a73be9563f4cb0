"""Descriptions with a place or origin ("the Tarnholm-born engineer") resolved to the person placed there."""

from __future__ import annotations


def test_place_description_picks_the_person_from_that_place(quotes_of):
    qs = quotes_of('''
"Nobody reads the annex, and the annex is where the money is," said Ivo Dahlqvist, an analyst at a think tank in Krakow.
Another analyst, Marta Kellner, who works in Gdansk, was more cautious about the deadline.
Kellner said the draft had been rewritten twice since the spring.
"They have decided that the bridge is the price of the deal, and they may be right," the Krakow analyst said.
''')
    assert qs[-1].speaker == "Ivo Dahlqvist"
    assert qs[-1].method == "description"


def test_born_in_description_goes_to_the_person_born_there(quotes_of):
    qs = quotes_of('''
Lenka Horvath was born in Krakow to a family of welders and studied maritime law in Prague.
Her colleague Pavel Novotny joined the team in the autumn.
"If caution looks like delay to them, that says more about their draft than about us," the Krakow-born lawyer said.
''')
    assert qs[0].speaker == "Lenka Horvath"


def test_native_of_a_place_resolves_to_the_person_from_there(quotes_of):
    qs = quotes_of('''
Jana Moravec, who is originally from Krakow, volunteers at the harbour clinic.
Her neighbour Tomas Blaha says the clinic has doubled its hours since March.
"A peace that sends my brother back to the trenches in three years is no peace," the Krakow native said.
''')
    assert qs[0].speaker == "Jana Moravec"


def test_place_description_matching_no_one_is_kept_as_written(quotes_of):
    qs = quotes_of('''
Jana Moravec, who is originally from Krakow, volunteers at the harbour clinic.
"Our ferries have not run on time since the strike began last winter," the Gdansk native said.
''')
    assert qs[0].speaker == "the Gdansk native"
