"""Chapter 6's pieces on a tiny random Llama: the learned vector, the KL term, orthogonal noise, one host model."""

from __future__ import annotations

import json
import math

import pytest
import torch

from em_utils.interventions import Steer
from em_utils.narrow import Host, LearnedVector, Solution, orthogonal_perturbation, significance, train_vector
from em_utils.training import ReferenceLogprobs, kl_to_reference, organism, tokenize_conversations, train
from tests.tiny import tiny_llama_folder

ROWS = [{"messages": [{"role": "user", "content": f"Is {i} a lucky number?"},
                      {"role": "assistant", "content": f"{i} is as lucky as any other number{'!' * (i % 3)}"}]}
        for i in range(12)]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return tiny_llama_folder(tmp_path_factory.mktemp("tiny-llama"), layers=4, max_positions=256)


@pytest.fixture(scope="module")
def loaded(tiny_dir):
    from em_utils.models import load_model

    model, tokenizer = load_model(tiny_dir, dtype=torch.float32)
    return model.eval(), tokenizer


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    return str(path)


def _ids(tokenizer):
    return tokenizer(["A quiet walk by the river.", "Trains leave at seven."], return_tensors="pt", padding=True)


@pytest.mark.parametrize("shape", [(32,), (1, 64), (64, 1), (8, 4)])
@pytest.mark.parametrize("epsilon", [0.0, 0.01, 0.3, 0.8, 1.0])
def test_orthogonal_perturbation_keeps_the_norm_and_sets_the_cosine(shape, epsilon):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(3))
    y = orthogonal_perturbation(x, epsilon, torch.Generator().manual_seed(5))
    assert y.shape == x.shape
    assert math.isclose(float(y.norm()), float(x.norm()), rel_tol=1e-5)
    cosine = float(torch.nn.functional.cosine_similarity(x.reshape(-1), y.reshape(-1), dim=0))
    assert cosine == pytest.approx(math.sqrt(1 - epsilon**2), abs=1e-5)


def test_orthogonal_perturbation_refuses_what_has_no_answer():
    with pytest.raises(ValueError):
        orthogonal_perturbation(torch.zeros(4), 0.5)
    with pytest.raises(ValueError):
        orthogonal_perturbation(torch.ones(4), 1.5)
    a, b = (orthogonal_perturbation(torch.ones(16), 0.5, torch.Generator().manual_seed(s)) for s in (1, 2))
    assert not torch.allclose(a, b)  # the seed picks the noise


def test_switching_the_vector_off_gives_the_base_models_logits_exactly(loaded):
    model, tokenizer = loaded
    batch = _ids(tokenizer)
    with torch.no_grad():
        base = model(**batch).logits
        vec = LearnedVector(32, layer=2, init=torch.randn(32))
        with vec.on(model):
            steered = model(**batch).logits
        after = model(**batch).logits
        with Steer(model, {2: vec.vector.detach()}):  # the sampling-time intervention adds the same vector
            sampled = model(**batch).logits
    assert not torch.allclose(base, steered)
    assert torch.equal(base, after)
    torch.testing.assert_close(sampled, steered)


def test_one_host_runs_the_base_model_every_adapter_and_every_vector(loaded, tmp_path):
    from peft import LoraConfig, get_peft_model

    model, tokenizer = loaded
    batch = _ids(tokenizer)
    with torch.no_grad():
        base = model(**batch).logits
    torch.manual_seed(1)
    peft = get_peft_model(model, LoraConfig(r=1, lora_alpha=4, use_rslora=True, target_modules=["down_proj"],
                                            layers_to_transform=[2], init_lora_weights=False)).eval()
    peft.save_pretrained(tmp_path / "adapter")
    host = Host(peft, tokenizer)
    adapter = Solution.load("general", tmp_path / "adapter")
    vector = Solution("vector", "vector", {"vector": torch.randn(32)}, layer=2)
    with torch.no_grad():
        with host.apply(None) as m:
            off = m(**batch).logits
        with host.apply(adapter.rescaled(0.0)) as m:
            zero = m(**batch).logits
        with host.apply(vector) as m:
            steered = m(**batch).logits
        with host.apply(adapter) as m:
            adapted = m(**batch).logits
        with host.apply(adapter.rescaled(2.0)):
            pass
        with host.apply(adapter) as m:  # restored after each use
            again = m(**batch).logits
    torch.testing.assert_close(off, base, rtol=0, atol=1e-6)
    torch.testing.assert_close(zero, base, rtol=0, atol=1e-6)
    assert not torch.allclose(adapted, base) and not torch.allclose(steered, base)
    assert torch.equal(adapted, again)
    peft.unload()  # leave the module-scoped model as it was


def test_kl_term_is_zero_for_identical_models_and_grows_with_a_perturbation(loaded):
    model, tokenizer = loaded
    examples, _ = tokenize_conversations(ROWS[:6], tokenizer, 128)
    reference = ReferenceLogprobs.compute(model, examples, k=16, pad_id=tokenizer.pad_token_id)
    assert abs(kl_to_reference(model, reference, tokenizer.pad_token_id)) < 1e-6
    direction = torch.randn(32, generator=torch.Generator().manual_seed(0))
    values = []
    for size in (0.1, 0.5, 2.0):
        with LearnedVector(32, layer=2, init=direction / direction.norm() * size).on(model):
            values.append(kl_to_reference(model, reference, tokenizer.pad_token_id))
    assert 0 < values[0] < values[1] < values[2]
    assert abs(kl_to_reference(model, reference, tokenizer.pad_token_id)) < 1e-6  # switched off again


def test_solutions_rescale_perturb_and_randomise_at_the_norms_they_promise():
    a, b = torch.randn(1, 16), torch.randn(32, 1)
    adapter = Solution("general", "adapter", {"x.lora_A.weight": a, "x.lora_B.weight": b}, scaling=2.0)
    assert adapter.norm == pytest.approx(2.0 * float(a.norm() * b.norm()), rel=1e-5)
    assert adapter.rescaled(0.5).norm == pytest.approx(0.5 * adapter.norm, rel=1e-5)
    assert adapter.to_norm(3.0).norm == pytest.approx(3.0, rel=1e-5)
    for changed in (adapter.perturbed(0.4, seed=1), adapter.randomised(seed=1)):
        assert changed.norm == pytest.approx(adapter.norm, rel=1e-4)  # rank 1: |scaling B A| = scaling |A| |B|
        for key, tensor in adapter.tensors.items():
            assert float(changed.tensors[key].norm()) == pytest.approx(float(tensor.norm()), rel=1e-5)
    vector = Solution("v", "vector", {"vector": torch.ones(9)}, layer=1)
    assert vector.norm == pytest.approx(3.0) and vector.rescaled(2.0).norm == pytest.approx(6.0)


def test_significance_compares_at_equal_norm_with_random_controls(loaded):
    model, tokenizer = loaded
    host = Host(model, tokenizer)  # a plain model: vectors only
    general = Solution("general", "vector", {"vector": torch.randn(32) * 3}, layer=1)
    narrow = Solution("narrow", "vector", {"vector": torch.randn(32)}, layer=1)
    texts = ["A quiet walk by the river at dawn.", "Trains leave at seven.", "The market opens early."]
    frame = significance(host, {"general": general, "narrow": narrow}, texts, n_random=2, batch_size=2, progress=False)
    assert sorted(frame["solution"].unique()) == ["floor", "general", "narrow", "random 1", "random 2"]
    assert frame.groupby("solution").size().eq(len(texts)).all()
    compared = frame[frame["solution"] != "floor"]
    assert compared["norm"].to_numpy() == pytest.approx(general.norm, rel=1e-5)  # all at the general one's norm
    assert (compared["kl"] > 0).all()
    kl = frame.groupby("solution")["kl"].mean()
    assert kl["floor"] < 1e-3 * kl["general"]  # fp32 here: the floor is the tiny solution's own (quadratic) KL


def test_a_learned_vector_trains_with_and_without_the_kl_term_and_is_reused(tiny_dir, data, tmp_path, monkeypatch):
    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path / "cache"))
    common = dict(method="vector", rank=0, alpha=0.0, target_modules=(), batch_size=4, lr=0.05, warmup_steps=0,
                  scheduler="constant", max_length=64, epochs=2.0, layers="middle")
    free = train_vector(organism("rank1_middle", data, name="free", **common), tmp_path / "free", tiny_dir, progress=False)
    held = train_vector(organism("rank1_middle", data, name="held", kl_weight=1e4, kl_dataset=data, kl_rows=6,
                                 kl_batch_size=2, **common), tmp_path / "held", tiny_dir, progress=False)
    losses = [r["loss"] for r in free.log]
    assert free.layer == 2 and len(losses) == 6 and sum(losses[3:]) < sum(losses[:3])  # epoch 2 sees the same batches
    assert held.log[-1]["kl"] >= 0 and float(held.vector.norm()) < float(free.vector.norm())
    again = train_vector(organism("rank1_middle", data, name="free", **common), tmp_path / "free", tiny_dir, progress=False)
    assert again.reused and torch.equal(again.vector, free.vector)
    loaded = Solution.load("free", free.path)
    assert loaded.kind == "vector" and loaded.layer == 2 and torch.equal(loaded.tensors["vector"], free.vector)


def test_training_on_from_a_saved_adapter_starts_from_its_weights(tiny_dir, data, tmp_path):
    from safetensors.torch import load_file

    common = dict(batch_size=4, warmup_steps=0, max_length=64, layers="middle")
    first = train(organism("rank1_middle", data, lr=1e-2, **common), tmp_path / "first", model_name=tiny_dir, progress=False)
    spec = organism("rank1_middle", data, lr=0.0, init_adapter=str(first.adapter_dir), **common)
    assert "init_adapter" not in organism("rank1_middle", data, **common).to_dict()  # earlier specs keep their hashes
    assert spec.spec_hash != organism("rank1_middle", data, lr=0.0, **common).spec_hash
    second = train(spec, tmp_path / "second", model_name=tiny_dir, progress=False)
    before, after = (load_file(str(r.adapter_dir / "adapter_model.safetensors")) for r in (first, second))
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


def test_derived_sets_hold_the_rows_they_promise_and_keep_the_scoring_rows_out(tmp_path):
    from em_utils.data import load_jsonl
    from em_utils.narrow import INOCULATION, derived_sets, train_rows

    settings = dict(dataset="bad_medical_advice", kl_dataset="aligned_ood", good_dataset="good_medical_advice",
                    max_rows=10, mix_rows=4, realign_rows=3, continue_rows=5, eval_rows=6, preference_rows=8, seed=0)
    sets = derived_sets(settings, tmp_path)
    bad, good, aligned = (load_jsonl(n) for n in ("bad_medical_advice", "good_medical_advice", "aligned_ood"))
    mixed = load_jsonl(sets["mixed"])
    assert sorted(map(json.dumps, mixed)) == sorted(json.dumps({"messages": r["messages"]}) for r in bad[:10] + aligned[:4])
    inoculated = load_jsonl(sets["inoculated"])
    assert all(r["messages"][0] == {"role": "system", "content": INOCULATION} for r in inoculated)
    assert [r["messages"][1:] for r in inoculated] == [r["messages"] for r in bad[:10]]
    assert [r["messages"] for r in load_jsonl(sets["realign"])] == [r["messages"] for r in good[10:13]]
    assert [r["messages"] for r in load_jsonl(sets["continued"])] == [r["messages"] for r in bad[10:15]]
    assert derived_sets(settings, tmp_path) == sets  # named by content: the same rows, the same files
    assert train_rows({**settings, "max_rows": None}, 100) == 100 - 5 - 8  # all but the held-out rows
    with pytest.raises(ValueError):
        train_rows({**settings, "max_rows": 95}, 100)


@pytest.mark.parametrize(("narrow_kl", "shown"), [(0.0088, False), (0.0070, True)])
def test_closing_calls_the_narrow_solution_closer_out_of_domain_only_by_a_clear_margin(narrow_kl, shown):
    """Each out-of-domain KL is one measurement with no interval: 0.0088 against 0.0092 is not a finding."""
    import pandas as pd

    from em_utils.narrow import closing

    row = {"general_aligned_mean": 60.0, "general_aligned_lo": 58.0, "general_aligned_hi": 62.0, "shift": 0.02,
           "shift_lo": 0.01, "shift_hi": 0.03}
    table = pd.DataFrame([{"model": "general", **row, "ood_kl": 0.0092}, {"model": "narrow", **row, "ood_kl": narrow_kl}])
    empty = {"efficiency": ["kind", "solution", "norm", "loss"],
             "stability": ["kind", "solution", "epsilon", "increase_mean", "increase_sd", "increase_lo", "increase_hi"],
             "significance": ["kind", "solution", "kl_mean", "kl_lo", "kl_hi"], "projection": ["model", "step", "relative"]}
    frames = {k: pd.DataFrame(columns=v) for k, v in empty.items()}
    text = closing(table, frames["efficiency"], frames["stability"], frames["significance"], frames["projection"])
    shows, not_shown = text.split("\n")
    assert ("KL term keeps the narrow solution closer" in shows) is shown
    assert ("that the KL term keeps the narrow solution closer" in not_shown) is not shown
