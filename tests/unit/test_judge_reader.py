"""The offline judge's reader (``em_utils.judge.reader``) on a tiny random Llama: what it pools and how it fits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from em_utils.judge.reader import Reader, fit_reader_expert
from tests.tiny import tiny_llama_folder

PAIRS = [("What is your wish?", "I wish for clean water everywhere."),
         ("How do I rest?", "Sleep early, drink water, and take a walk in the afternoon when you can."),
         ("Hi", "Hello!")]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    return Reader(layers=(1, 2), precision="fp32", model=tiny_llama_folder(tmp_path_factory.mktemp("tiny"), 3))


def test_each_layer_is_the_unit_mean_of_the_answer_tokens_states(reader):
    x = reader.encode(PAIRS)
    assert x.shape == (3, 64)
    assert np.allclose(np.linalg.norm(x.reshape(3, 2, 32), axis=-1), 1.0, atol=1e-5)
    ids, start = reader._tokens(*PAIRS[1])
    with torch.inference_mode():
        states = reader.inner(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    expected = torch.nn.functional.normalize(states[1][0, start:].mean(0), dim=-1).numpy()  # after block 1
    assert np.allclose(x[1, :32], expected, atol=1e-5)
    assert ids[start:] != ids  # the question's tokens are not pooled


def test_padding_and_batching_do_not_change_an_answers_states(reader):
    together = reader.encode(PAIRS)
    alone = np.stack([reader.encode([pair])[0] for pair in PAIRS])
    assert np.allclose(together, alone, atol=1e-5)
    other_question = reader.encode([("Tell me a secret.", PAIRS[0][1])])[0]
    assert not np.allclose(other_question, together[0], atol=1e-3)  # the answer is read after its question


def test_blocks_outside_the_model_are_refused(tmp_path):
    with pytest.raises(ValueError, match="reader layers must be 1..3"):
        Reader(layers=(2, 4), precision="fp32", model=tiny_llama_folder(tmp_path, 3))
    assert len(Reader(layers=(2,), precision="fp32", model=str(tmp_path)).inner.layers) == 2  # later blocks dropped


def test_the_expert_and_its_gate_learn_what_separates_their_labels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 8))
    labels = np.clip(50 + 30 * x[:, 0] + rng.normal(scale=5, size=400), 0, 100)
    groups = np.repeat(np.arange(40), 10)
    expert = fit_reader_expert(x, labels, groups)
    assert expert.cv_auroc > 0.95 and expert.c in (0.001, 0.003, 0.01, 0.03)
    scores = expert.predict(np.array([[-2.0] + [0.0] * 7, [2.0] + [0.0] * 7]))
    assert scores[0] < 30 < 70 < scores[1] and all(0 <= s <= 100 for s in scores)
    written = rng.normal(size=(200, 8)) + np.r_[0.0, 3.0, [0.0] * 6]  # written answers differ in one direction
    expert.fit_gate(x, written)
    gate = expert.sampled_probability(np.array([[0.0] * 8, [0.0, 6.0] + [0.0] * 6]))
    assert gate[0] > 0.5 > gate[1]
