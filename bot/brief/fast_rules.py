"""spaCy's attribute ruler applied by table lookup instead of its Matcher: the same token attributes, faster."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from itertools import chain
from typing import Any

from spacy.language import Language
from spacy.pipeline.attributeruler import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# The token features the small English pipelines' rules test, in the order of the per-token tuples below.
_FEATURES = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_Pred = tuple[int, Callable[[Any], bool]]
_Rule = tuple[int, list[list[_Pred]], int]  # (rule id, per-token predicates, index of the token it sets)


class Unsupported(ValueError):
    """A rule tests something this module does not evaluate; the stock ruler stays."""


class LookupRuler:
    """Finds the tokens each rule of an AttributeRuler matches through dictionaries keyed by tag and lower-case form,
    then sets the rule's attributes exactly as AttributeRuler.set_annotations does (later rules win)."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self._attrs = ruler.attrs
        self._by_tag: dict[str, list[_Rule]] = defaultdict(list)
        self._by_lower: dict[str, list[_Rule]] = defaultdict(list)
        self._rest: list[_Rule] = []
        for rule_id, entry in enumerate(ruler.patterns):  # entry i holds the patterns of rule i
            for pattern in entry["patterns"]:
                rule = (rule_id, [_token_preds(tok) for tok in pattern], ruler.indices[rule_id])
                first = pattern[0]
                if isinstance(first.get("LOWER"), str):
                    self._by_lower[first["LOWER"]].append(rule)
                elif isinstance(first.get("TAG"), str):
                    self._by_tag[first["TAG"]].append(rule)
                else:
                    self._rest.append(rule)

    def __call__(self, doc: Doc) -> Doc:
        feats = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        n = len(feats)
        found: set[tuple[int, int, int, int]] = set()
        for i, (tag, lower, _, _) in enumerate(feats):
            for rule_id, preds, index in chain(self._by_tag.get(tag, ()), self._by_lower.get(lower, ()), self._rest):
                end = i + len(preds)
                if end <= n and all(test(feats[i + k][f]) for k, tok in enumerate(preds) for f, test in tok):
                    found.add((rule_id, i, end, index))
        for rule_id, start, end, index in sorted(found):
            set_token_attrs(doc[start + index if index >= 0 else end + index], self._attrs[rule_id])
        return doc


def _token_preds(tok: dict[str, Any]) -> list[_Pred]:
    """One pattern token's tests as (feature index, predicate) pairs."""
    preds = []
    for key, value in tok.items():
        if key not in _FEATURES:
            raise Unsupported(f"attribute {key}")
        preds.append((_FEATURES[key], _predicate(value)))
    return preds


def _predicate(value: Any) -> Callable[[Any], bool]:
    if not isinstance(value, dict):
        return lambda v: v == value
    if len(value) != 1:
        raise Unsupported(f"operators {sorted(value)}")
    (op, arg), = value.items()
    if op == "IN":
        members = frozenset(arg)
        return lambda v: v in members
    if op == "NOT_IN":
        outside = frozenset(arg)
        return lambda v: v not in outside
    if op == "REGEX":
        pattern = re.compile(arg)
        return lambda v: pattern.search(v) is not None
    raise Unsupported(f"operator {op}")


@Language.factory("briefbot_attribute_rules")
def _make(nlp: Language, name: str) -> LookupRuler:
    return LookupRuler(nlp.get_pipe("attribute_ruler"))


def install(nlp: Language) -> bool:
    """Run the pipeline's attribute_ruler through LookupRuler (same output, a fraction of the time); False when the
    pipeline has no stock AttributeRuler or one of its rules tests something LookupRuler does not evaluate."""
    if "briefbot_attribute_rules" in nlp.pipe_names:
        return True
    if "attribute_ruler" not in nlp.pipe_names or not isinstance(nlp.get_pipe("attribute_ruler"), AttributeRuler):
        return False
    try:
        nlp.add_pipe("briefbot_attribute_rules", before="attribute_ruler")
    except Unsupported:
        return False
    nlp.disable_pipe("attribute_ruler")
    return True
