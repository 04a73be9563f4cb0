"""Abstractive claims end to end through a tiny BART built here, plus the faithfulness validator."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import BartConfig, BartForConditionalGeneration, PreTrainedTokenizerFast

from bot.brief.abstractive import AbstractiveSummarizer, validate_summary
from bot.brief.models import ModelError, default_encoder_path, get_encoder, get_nlp

# Fictional articles (sentence lists) and what the tiny model is trained to answer for each.
PORT = [
    "The port of Kessa reopened on Friday after a storm closed it for four days .",
    "Harbour officials said 12 cargo ships were waiting outside the breakwater .",
    "The mayor , Lina Oster , thanked the crews who cleared the channel overnight .",
    "Fishing boats were the first to leave the harbour at dawn .",
]
PORT_FAITHFUL = (
    "The port of Kessa reopened on Friday . 12 cargo ships were waiting outside . Lina Oster thanked the crews ."
)
MINE = [
    "Rescuers in the mountain town of Belov reached six trapped miners on Tuesday .",
    "The miners had been underground for two days after a tunnel collapsed .",
    "Doctors said all six were weak but unhurt .",
]
MINE_INVENTED = (
    "Rescuers in Berlin reached 40 miners on Tuesday . The miners had been underground . Doctors said all were unhurt ."
)
BRIDGE = [
    "The old bridge over the Sava river in Dornik was closed on Monday .",
    "Engineers found cracks in two of its pillars .",
    "Buses will take a longer road around the valley .",
]
BRIDGE_SHORT = "The bridge was closed ."
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
PAIRS = [(PORT, PORT_FAITHFUL), (MINE, MINE_INVENTED), (BRIDGE, BRIDGE_SHORT)]


def _text(sentences: list[str]) -> str:
    return " ".join(sentences)


def _tokenizer() -> PreTrainedTokenizerFast:
    words = sorted({w for s, t in PAIRS for w in re.findall(r"\w+|[^\w\s]", _text(s) + " " + t)})
    vocab = {tok: i for i, tok in enumerate(SPECIALS + words)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", vocab["<s>"]), ("</s>", vocab["</s>"])]
    )
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>")


def _train_tiny_bart(tokenizer: PreTrainedTokenizerFast) -> BartForConditionalGeneration:
    """A 1-layer, d_model 32 BART with random weights, fitted until it reproduces the three targets."""
    torch.manual_seed(7)
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
                        max_position_embeddings=128, pad_token_id=0, bos_token_id=1, eos_token_id=2,
                        decoder_start_token_id=2, forced_bos_token_id=None, forced_eos_token_id=2)
    model = BartForConditionalGeneration(config)
    inputs = tokenizer([_text(s) for s, _ in PAIRS], padding=True, return_tensors="pt")
    labels = tokenizer([t for _, t in PAIRS], padding=True, return_tensors="pt").input_ids
    labels[labels == tokenizer.pad_token_id] = -100
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(400):
        model.train()
        loss = model(**inputs, labels=labels).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        if step % 20 == 19 and loss.item() < 0.05:
            model.eval()
            with torch.inference_mode():
                out = model.generate(**inputs, max_new_tokens=40, num_beams=2, no_repeat_ngram_size=3)
            if tokenizer.batch_decode(out, skip_special_tokens=True) == [t for _, t in PAIRS]:
                return model.eval()
    raise AssertionError("the tiny model did not learn its targets")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-bart")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        tokenizer = _tokenizer()
        _train_tiny_bart(tokenizer).save_pretrained(folder)
        tokenizer.save_pretrained(folder)
    finally:
        torch.set_num_threads(threads)
    return folder


@pytest.fixture(scope="module")
def summarizer(tiny_model_dir: Path) -> AbstractiveSummarizer:
    return AbstractiveSummarizer(str(tiny_model_dir), max_new_tokens=40, num_beams=2)


@pytest.fixture(scope="module")
def encoder():
    return get_encoder()


@pytest.fixture(scope="module")
def spacy_nlp():
    return get_nlp()


def _summarize(summarizer: AbstractiveSummarizer, sentences: list[str], encoder, nlp):
    return summarizer.summarize(_text(sentences), sentences, encoder.encode(sentences), encoder, nlp)


def test_faithful_summary_becomes_claims_tied_to_source_sentences(summarizer, encoder, spacy_nlp) -> None:
    claims = _summarize(summarizer, PORT, encoder, spacy_nlp)
    assert summarizer.reason is None
    assert claims is not None
    assert [c.text for c in claims] == [
        "The port of Kessa reopened on Friday.",
        "12 cargo ships were waiting outside.",
        "Lina Oster thanked the crews.",
    ]
    assert [c.sentence for c in claims] == [0, 1, 2]


def test_summary_naming_an_absent_place_is_rejected(summarizer, encoder, spacy_nlp) -> None:
    assert summarizer.generate(_text(MINE)).startswith("Rescuers in Berlin")  # the model really says it
    assert _summarize(summarizer, MINE, encoder, spacy_nlp) is None
    assert "Berlin" in summarizer.reason


def test_too_short_summary_is_rejected_and_reason_resets(summarizer, encoder, spacy_nlp) -> None:
    assert _summarize(summarizer, BRIDGE, encoder, spacy_nlp) is None
    assert summarizer.reason.startswith("only 1 sentence")
    assert _summarize(summarizer, PORT, encoder, spacy_nlp) is not None
    assert summarizer.reason is None


def test_missing_or_unsuitable_model_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such folder") as missing:
        AbstractiveSummarizer(str(tmp_path / "no-model-here"))
    assert "\n" not in str(missing.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        AbstractiveSummarizer(str(tmp_path / "empty"))
    with pytest.raises(ModelError) as encoder_only:  # MiniLM is a BERT encoder, not a seq2seq model
        AbstractiveSummarizer(default_encoder_path())
    assert "\n" not in str(encoder_only.value)


ARTICLE = (
    "KYIV (Wire) - Ukraine's foreign minister, Andrii Sybiha, met European envoys in Kyïv on Tuesday. "
    "He said 12 drones had struck the Odesa port overnight and that three people were hurt. "
    "The talks, hosted by the U.S. embassy, lasted four hours."
)


@pytest.mark.parametrize(
    "summary",
    [
        "Andrii Sybiha met European envoys in Kyiv on Tuesday. Twelve drones struck the Odesa port. "
        "Three people were hurt in the attack.",
        "Ukrainian officials met envoys on Tuesday. The US embassy hosted talks for four hours. "
        "Sybiha's count was 12 drones.",
    ],
)
def test_validator_accepts_names_and_numbers_from_the_article(summary: str, spacy_nlp) -> None:
    kept, reason = validate_summary(summary, ARTICLE, spacy_nlp)
    assert reason is None
    assert len(kept) == 3


@pytest.mark.parametrize(
    ("summary", "culprit"),
    [
        ("Andrii Sybiha met European envoys in Berlin on Tuesday. Twelve drones struck the port. "
         "Three people were hurt.", "Berlin"),
        ("Andrii Sybiha met European envoys in Kyiv on Tuesday. Mark Dalton said drones struck the port. "
         "Three people were hurt.", "Mark Dalton"),
        ("Andrii Sybiha met European envoys in Kyiv on Tuesday. 15 drones struck the Odesa port. "
         "Three people were hurt.", "15"),
        ("Andrii Sybiha met European envoys in Kyiv on Tuesday. Twelve drones struck the Odesa port. "
         "Seven people were hurt.", "seven"),
    ],
)
def test_validator_rejects_names_and_numbers_not_in_the_article(summary: str, culprit: str, spacy_nlp) -> None:
    kept, reason = validate_summary(summary, ARTICLE, spacy_nlp)
    assert kept == []
    assert culprit.lower() in reason.lower()


def test_validator_rejects_degenerate_output(spacy_nlp) -> None:
    same = "Andrii Sybiha met European envoys in Kyiv on Tuesday."
    assert validate_summary(f"{same} {same} Three people were hurt.", ARTICLE, spacy_nlp)[1].startswith("repetitive")
    assert validate_summary("", ARTICLE, spacy_nlp)[1] == "empty output"
    looping = "the talks the talks the talks went on. " * 3
    assert validate_summary(looping, ARTICLE, spacy_nlp)[1] is not None
