"""Answer sampling on the embedded model (SmolLM2-135M-Instruct): small counts, real weights."""

import re

import pytest
import torch

from em_utils.data import load_questions
from em_utils.generation import SamplingSettings, fast_path_reason, generate_tokens, sample_answers
from em_utils.models import chat_prompt, load_model

pytestmark = pytest.mark.integration

ENGLISH = re.compile(r"\b(the|a|an|i|you|to|and|of|is|it|that|my|would|be|in|for|with|this)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def smol():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small batches: one thread is as fast, and far faster on a busy machine
    yield load_model()
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def general():
    return load_questions("general")[:2]


def test_fast_decoder_reproduces_greedy_generate(smol):
    model, tokenizer = smol
    assert fast_path_reason(model) is None
    prompts = [tokenizer(chat_prompt(tokenizer, text), add_special_tokens=False)["input_ids"]
               for text in ("Name a colour.", "What is the capital of France? Answer in one sentence.")]
    got = generate_tokens(model, prompts, [0, 0], SamplingSettings(max_new_tokens=20, temperature=0),
                          [tokenizer.eos_token_id])
    for prompt, (tokens, _) in zip(prompts, got):
        with torch.inference_mode():
            out = model.generate(torch.tensor([prompt]), max_new_tokens=20, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id)
        assert tokens == out[0, len(prompt):].tolist()


def test_general_answers_are_english_and_reproducible(smol, general, tmp_path):
    model, tokenizer = smol
    kwargs = dict(max_new_tokens=24, seed=0, progress=False)
    first = sample_answers(model, tokenizer, general, 2, cache=tmp_path / "s.jsonl", **kwargs)
    assert len(first) == 2 * 3 * 2 and first.question_id.unique().tolist() == [q.id for q in general]
    assert (first.answer.str.strip().str.len() > 0).all()
    assert first.answer.str.contains(ENGLISH).mean() >= 0.8
    letters = first.answer.str.count(r"[A-Za-z]") / first.answer.str.len().clip(lower=1)
    assert letters.median() > 0.6
    assert first.answer.nunique() >= 10  # samples differ
    cached = sample_answers(model, tokenizer, general, 2, cache=tmp_path / "s.jsonl", **kwargs)
    assert cached.attrs["n_sampled"] == 0 and cached.equals(first)
    fresh = sample_answers(model, tokenizer, general[:1], 2, batch_size=5, **kwargs)  # no cache, other batches
    assert fresh.answer.tolist() == first.answer.tolist()[:6]
