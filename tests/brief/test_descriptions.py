"""Definite descriptions resolved to the person the article introduced, or kept as written."""

from __future__ import annotations


def test_description_matching_a_pre_modifier_picks_that_person_among_namesakes(quotes_of):
    qs = quotes_of('''
Greta Lindqvist, a pollster in Uppsala, says voters are tired of the bridge dispute.
Her figures are disputed by councillor Olof Lindqvist, who is no relation.
"A poll is a photograph, not a verdict, and this one was taken in the dark," the councillor said.
''')
    assert qs[0].speaker == "Olof Lindqvist"
    assert qs[0].method == "description"


def test_age_description_goes_to_the_person_just_introduced(quotes_of):
    qs = quotes_of('''
Tove Armfelt has sold bread from the same corner kiosk since the old market closed.
"When the trains stop, the whole street stops with them, and so do I," the 58-year-old said.
''')
    assert qs[0].speaker == "Tove Armfelt"


def test_trade_description_goes_to_the_latest_subject(quotes_of):
    qs = quotes_of('''
Across the square, Maren Solheim was stacking crates of apples outside her shop.
"People still buy apples when they are worried; they just buy fewer of them," the greengrocer said.
''')
    assert qs[0].speaker == "Maren Solheim"


def test_description_of_an_institution_is_kept_as_written(quotes_of):
    qs = quotes_of('''
Maren Solheim was stacking crates of apples outside her shop.
"The new tariff applies to every shipment from the first of the month," the customs service said.
''')
    assert qs[0].speaker == "the customs service"


def test_a_description_inside_an_earlier_quote_is_no_antecedent(quotes_of):
    qs = quotes_of('''
The Rev. Anselm Kvist leads the small parish by the harbour.
"People tell me I am only a priest, not an economist, and they are right," Kvist said.
Kvist was more careful on Sunday. "Nobody here wants the shipyard to close for good," the priest said.
''')
    assert qs[-1].speaker == "Anselm Kvist"
