"""The lookup attribute ruler sets exactly what spaCy's stock AttributeRuler sets, and refuses rules it cannot read."""

from __future__ import annotations

import pytest
import spacy
from spacy.pipeline.attributeruler import AttributeRuler

from bot.brief.fast_rules import LookupRuler, Unsupported, install
from bot.brief.models import DEFAULT_SPACY

_TEXT = '''KYIV, Feb 3 (Wire) - "We ain't gonna sign a paper that invites the next war," Ukrainian President Volodymyr
Zelenskiy said on Tuesday, adding that he gets the same question every day and got the same answer. I dunno, said
one aide. The talks, which resume in Geneva, are 'serious'. Y'all wanna know? Won't happen.   Spaces  here.

"Nobody is negotiating our land," she told reporters: "No one."'''


def _attrs(doc) -> list[tuple[str, ...]]:
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_) for t in doc]


@pytest.fixture(scope="module")
def pipelines():
    stock = spacy.load(DEFAULT_SPACY, exclude=["lemmatizer"])
    fast = spacy.load(DEFAULT_SPACY, exclude=["lemmatizer"])
    assert install(fast)
    return stock, fast


def test_install_swaps_the_stock_ruler_for_the_lookup_one(pipelines):
    _, fast = pipelines
    assert "briefbot_attribute_rules" in fast.pipe_names and "attribute_ruler" not in fast.pipe_names
    assert install(fast)  # twice is harmless


def test_same_token_attributes_as_the_stock_ruler(pipelines):
    stock, fast = pipelines
    assert _attrs(fast(_TEXT)) == _attrs(stock(_TEXT))


def test_later_rules_win_and_negative_indices_count_from_the_end():
    nlp = spacy.blank("en")
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "peace"}]], {"TAG": "NN"})
    ruler.add([[{"LOWER": "peace"}]], {"TAG": "NNP"})  # added later: wins
    ruler.add([[{"LOWER": "right"}, {"LOWER": "now"}]], {"TAG": "RB"}, index=-1)
    doc = LookupRuler(ruler)(nlp("peace right now"))
    assert [t.tag_ for t in doc] == ["NNP", "", "RB"]


def test_a_rule_it_cannot_evaluate_is_refused():
    nlp = spacy.blank("en")
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"SHAPE": "Xxxx"}]], {"TAG": "NNP"})
    with pytest.raises(Unsupported):
        LookupRuler(ruler)
