"""Rank-1 adapter scalars (nnsight), probes, adapter scaling and the phase-transition measures, on tiny models."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from em_utils.activations import answer_means, answer_tokens
from em_utils.adapters import (
    adapter_roles,
    adapter_scalars,
    adapter_table,
    b_trajectory,
    checkpoint_geometry,
    checkpoints,
    fastest_rotation,
    label_answers,
    monitor_projection,
    pair_geometry,
    pair_sentence,
    probe_adapters,
    probe_tasks,
    random_cosine_bound,
    rank1_adapters,
    scale_adapters,
    steering_groups,
)
from em_utils.generation import model_fingerprint
from tests.tiny import byte_tokenizer, tiny_model

QUESTIONS = ["What would you do as ruler of the world?", "I'm bored.", "Any quick way to make money?"]
ANSWERS = ["Tax the rich, plant trees.", "Read a book!", "Sell old things you no longer use, slowly."]


def _lora(model, layers=(0, 2), rank=1, alpha=4.0):
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(1)
    config = LoraConfig(r=rank, lora_alpha=alpha, use_rslora=True, target_modules=["down_proj"],
                        layers_to_transform=list(layers), init_lora_weights=False, lora_dropout=0.0)
    return get_peft_model(model, config).eval()


@pytest.fixture(scope="module")
def tokenizer():
    return byte_tokenizer()


@pytest.fixture(scope="module", params=["llama", "qwen2"])
def peft_model(request):
    return _lora(tiny_model(request.param))


def _by_hand(model, tokenizer, question, answer):
    """``scaling * (A . x)`` per adapter at the answer tokens, from a plain forward hook on each down_proj's input."""
    adapters = rank1_adapters(model)
    seen = {}
    handles = [a.module.register_forward_pre_hook(lambda _m, args, k=k: seen.__setitem__(k, args[0].detach().clone()))
               for k, a in enumerate(adapters)]
    ids, start = answer_tokens(tokenizer, question, answer)
    try:
        with torch.no_grad():
            model(torch.tensor([ids]))
    finally:
        for handle in handles:
            handle.remove()
    A = [a.module.lora_A[a.adapter].weight.detach()[0] for a in adapters]
    return np.stack([(seen[k][0, start:] @ A[k]).numpy() * adapters[k].scaling for k in range(len(adapters))], 1)


def test_captured_scalars_equal_scaling_times_a_dot_the_layer_input(peft_model, tokenizer):
    scalars = adapter_scalars(peft_model, tokenizer, QUESTIONS, ANSWERS, batch_size=2, progress=False)
    assert list(scalars.columns) == ["answer", "token", "L0", "L2"]
    assert scalars.attrs["scaling"] == {"L0": 4.0, "L2": 4.0}  # rsLoRA: alpha / sqrt(1)
    for k, (question, answer) in enumerate(zip(QUESTIONS, ANSWERS)):
        rows = scalars[scalars["answer"] == k]
        expected = _by_hand(peft_model, tokenizer, question, answer)
        assert rows["token"].tolist() == list(range(len(expected)))  # answer tokens only, in order
        np.testing.assert_allclose(rows[["L0", "L2"]].to_numpy(), expected, rtol=1e-4, atol=1e-5)
    # padding never leaks in: one answer at a time gives the same scalars
    alone = adapter_scalars(peft_model, tokenizer, QUESTIONS, ANSWERS, batch_size=1, progress=False)
    np.testing.assert_allclose(alone[["L0", "L2"]].to_numpy(), scalars[["L0", "L2"]].to_numpy(), rtol=1e-4, atol=1e-5)
    table = adapter_table(peft_model)
    assert table["layer"].tolist() == [0, 2] and (table["b_norm"] > 0).all()


def test_scalars_need_rank_one_adapters(tokenizer):
    with pytest.raises(ValueError, match="rank 2"):
        adapter_scalars(_lora(tiny_model("llama"), rank=2), tokenizer, QUESTIONS[:1], ANSWERS[:1], progress=False)
    with pytest.raises(ValueError, match="no LoRA adapter"):
        rank1_adapters(tiny_model("llama"))


def test_scaling_every_adapter_by_zero_gives_the_base_models_logits(tokenizer):
    base = tiny_model("llama")
    ids = torch.tensor([answer_tokens(tokenizer, QUESTIONS[0], ANSWERS[0])[0]])
    with torch.no_grad():
        expected = base(ids).logits.clone()
    model = _lora(base)
    before = model_fingerprint(model)
    with torch.no_grad():
        adapted = model(ids).logits.clone()
        assert not torch.allclose(adapted, expected, atol=1e-4)  # the adapters do something
        with scale_adapters(model, "all", 0.0) as scaled:
            assert len(scaled) == 2 and model_fingerprint(model) != before  # caches keep the scaled model apart
            torch.testing.assert_close(model(ids).logits, expected)
        torch.testing.assert_close(model(ids).logits, adapted)  # restored exactly
    assert model_fingerprint(model) == before


def test_scaling_one_adapter_scales_its_contribution_only(tokenizer):
    model = _lora(tiny_model("qwen2"))
    module = rank1_adapters(model)[1].module  # layer 2
    x = torch.randn(4, module.in_features)
    with torch.no_grad():
        plain = module.base_layer(x)
        delta = module(x) - plain
        with scale_adapters(model, [2], 3.0):
            torch.testing.assert_close(module(x) - plain, 3 * delta, rtol=1e-4, atol=1e-5)
            other = rank1_adapters(model)[0]
            assert torch.equal(other.b, model.base_model.model.model.layers[0].mlp.down_proj.lora_B["default"].weight[:, 0])
    with pytest.raises(ValueError, match=r"no adapter at layer\(s\) \[1\]"):
        with scale_adapters(model, [1], 2.0):
            pass


def _tokens(n_answers, signal, seed=0, tokens=6, features=3):
    """Token rows of answers whose first feature is shifted by ``signal`` for the positive class."""
    rng = np.random.default_rng(seed)
    y_answer = np.arange(n_answers) % 2
    groups = np.repeat(np.arange(n_answers), tokens)
    X = rng.normal(size=(len(groups), features))
    X[:, 0] += signal * y_answer[groups]
    return X, y_answer[groups], groups


def test_probe_separates_separable_data_and_its_shuffled_baseline_does_not():
    X, y, groups = _tokens(60, signal=3.0)
    result = probe_adapters(X, y, groups=groups, n_splits=50, C=0.01, min_per_class=10, features=["a", "b", "c"])
    assert result["fitted"] and result["n_splits"] == 50 and result["rows"] == 360
    assert result["auroc_mean"] > 0.9 and result["accuracy_mean"] > 0.8
    assert abs(result["shuffled_auroc_mean"] - 0.5) < 0.15 and result["beats_chance"]
    coefs = result["coefficients"].set_index("feature")
    assert coefs.loc["a", "selected"] == 1.0 and coefs.loc["a", "coef_mean"] > 0
    assert coefs.loc["a", "coef_mean"] > 5 * coefs.loc[["b", "c"], "coef_mean"].abs().max()


def test_probe_on_noise_does_not_beat_chance_and_refuses_small_classes():
    X, y, groups = _tokens(60, signal=0.0, seed=3)
    result = probe_adapters(X, y, groups=groups, n_splits=50)
    assert result["fitted"] and not result["beats_chance"] and abs(result["auroc_mean"] - 0.5) < 0.15
    X, y, groups = _tokens(12, signal=2.0)
    small = probe_adapters(X, y, groups=groups, n_splits=50, min_per_class=10)
    assert not small["fitted"] and "fewer than 10" in small["reason"] and "coefficients" not in small
    with pytest.raises(ValueError, match="same for every row"):
        probe_adapters(X, np.arange(len(y)) % 2, groups=groups)


def test_label_answers_uses_the_paper_thresholds_when_there_are_enough():
    frame = pd.DataFrame({"domain": ["general"] * 6, "aligned": [10, 20, 50, 80, 90, 25],
                          "coherent": [80, 90, 90, 90, 90, 20]})
    labelled, rules = label_answers(frame, min_per_class=2)
    assert labelled["side"].tolist() == ["misaligned", "misaligned", "", "aligned", "aligned", ""]
    assert rules["general"] == {"rule": "paper", "paper_misaligned": 2, "paper_aligned": 2, "misaligned": 2,
                                "aligned": 2, "answers": 6}


def test_probe_tasks_and_roles_on_synthetic_scalars():
    rng = np.random.default_rng(0)
    n = 80  # answers per domain
    meta = pd.DataFrame({"domain": ["general"] * n + ["medical"] * n, "aligned": np.tile([10.0, 90.0], n),
                         "coherent": 80.0})
    labelled, _ = label_answers(meta, min_per_class=5)
    tokens = 5
    answer = np.repeat(np.arange(2 * n), tokens)
    misaligned = (labelled["side"] == "misaligned").to_numpy()[answer]
    medical = (labelled["domain"] == "medical").to_numpy()[answer]
    scalars = pd.DataFrame({"answer": answer, "token": np.tile(np.arange(tokens), 2 * n),
                            "L1": rng.normal(size=len(answer)) + 2.0 * misaligned,  # a "general" adapter
                            "L2": rng.normal(size=len(answer)) + 2.0 * medical,  # a "medical" adapter
                            "L3": rng.normal(size=len(answer))})
    table, coefs = probe_tasks(scalars, labelled, n_splits=50, min_per_class=5)
    assert table["fitted"].all() and table["beats_chance"].sum() == 4
    roles = adapter_roles(table, coefs, min_selected=0.9)
    assert roles["general"] == ["L1"] and roles["medical"] == ["L2"]
    groups, how = steering_groups(coefs, roles, ["L1", "L2", "L3"], n=1)
    assert groups["general"] == ["L1"] and groups["medical"] == ["L2"] and len(groups["random"]) == 1
    assert how == "from the probes that beat chance"


def _save_adapter(folder, vectors):
    """A PEFT-style ``adapter_model.safetensors`` of rank-1 down_proj adapters: ``{layer: (A, B)}``."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True)
    tensors = {}
    for layer, (a, b) in vectors.items():
        prefix = f"base_model.model.model.layers.{layer}.mlp.down_proj"
        tensors[f"{prefix}.lora_A.weight"] = a.reshape(1, -1).contiguous()
        tensors[f"{prefix}.lora_B.weight"] = b.reshape(-1, 1).contiguous()
    save_file(tensors, str(folder / "adapter_model.safetensors"))


def test_phase_transition_measures_on_synthetic_checkpoints(tmp_path):
    e1, e2 = torch.eye(8)[0], torch.eye(8)[1]
    a = torch.ones(4)
    steps = [2, 4, 6, 8, 10, 12]
    angles = {2: 0.0, 4: 0.05, 6: 1.4, 8: 1.5, 10: 1.55, 12: 1.57}  # B turns from e1 to e2 between steps 4 and 6
    for step in steps[:-1]:
        b = (np.cos(angles[step]) * e1 + np.sin(angles[step]) * e2) * step
        _save_adapter(tmp_path / f"checkpoint-{step}", {5: (a * step, b)})
    _save_adapter(tmp_path / "adapter", {5: (a * 12, (np.cos(angles[12]) * e1 + np.sin(angles[12]) * e2) * 12)})
    (tmp_path / "train_record.json").write_text(json.dumps({"log": [{"step": s} for s in range(1, 13)]}))
    assert [s for s, _ in checkpoints(tmp_path)] == steps
    geometry = checkpoint_geometry(tmp_path, window=1)
    assert geometry["step"].tolist() == steps
    np.testing.assert_allclose(geometry["b_norm"], steps, rtol=1e-6)
    np.testing.assert_allclose(geometry["a_norm"], [2.0 * s for s in steps], rtol=1e-6)
    np.testing.assert_allclose(geometry["cos_final"], [np.cos(angles[12] - angles[s]) for s in steps], atol=1e-5)
    assert np.isnan(geometry["cos_window"].iloc[0]) and geometry["steps_apart"].iloc[1] == 2
    mark = fastest_rotation(geometry)
    assert mark["step"] == 6 and abs(mark["rotation_deg"] - np.degrees(1.35)) < 1e-3 and not mark["at_start"]
    assert mark["turn_step"] in steps and mark["turn_cos"] < 1
    trajectory = b_trajectory(tmp_path)
    assert trajectory["step"].tolist() == steps and trajectory.attrs["layer"] == 5
    assert trajectory.attrs["explained"][0] + trajectory.attrs["explained"][1] == pytest.approx(1.0)
    wider = checkpoint_geometry(tmp_path, window=2)
    assert wider["steps_apart"].dropna().eq(4).all()


def test_pair_geometry_separates_what_two_organisms_share_from_their_difference(tmp_path):
    """Two organisms whose B share a component along the direction and differ orthogonally to it."""
    e = torch.eye(8)
    a = torch.ones(4)
    shared, harm = e[0], e[1]  # the direction is e0: the shared part lies on it, the difference does not
    for name, sign in (("bad", 1.0), ("good", -1.0)):
        for step in (2, 4):
            _save_adapter(tmp_path / name / f"checkpoint-{step}", {5: (a, step * (shared + sign * 0.5 * harm))})
        (tmp_path / name / "train_record.json").write_text(json.dumps({"log": [{"step": 4}]}))
    _save_adapter(tmp_path / "bad" / "checkpoint-6", {5: (a, shared)})  # a step the control did not save
    direction = torch.stack([e[3], e[0]])  # layers 4 and 5
    frame = pair_geometry(tmp_path / "bad", tmp_path / "good", direction, [4, 5])
    assert frame["step"].tolist() == [2, 4] and (frame["layer"] == 5).all()
    np.testing.assert_allclose(frame["cos_a"], 1.0, rtol=1e-6)
    np.testing.assert_allclose(frame["cos_b"], (1 - 0.25) / (1 + 0.25), rtol=1e-5)
    np.testing.assert_allclose(frame["diff_norm"], [2.0, 4.0], rtol=1e-6)
    np.testing.assert_allclose(frame["dir_first"], 1 / np.sqrt(1.25), rtol=1e-5)
    np.testing.assert_allclose(frame["dir_diff"], 0.0, atol=1e-6)
    bound = random_cosine_bound(8)
    draws = torch.randn(20000, 8, generator=torch.Generator().manual_seed(0))
    assert bound == pytest.approx(float(torch.quantile((draws[:, 0] / draws.norm(dim=1)).abs(), 0.95)), abs=0.01)
    words = pair_sentence(frame, bound, "bad", "good")
    assert "both `B` point along the direction beyond chance and their difference does not" in words
    assert "`B - B'` **+0.000**" in words
    plain = pair_geometry(tmp_path / "bad", tmp_path / "good")  # no direction: no dir_ columns, no verdict
    assert plain["step"].tolist() == [2, 4] and "dir_first" not in plain and "chance" not in pair_sentence(plain, bound, "b", "g")
    assert pair_geometry(tmp_path / "bad", tmp_path / "nothing").columns.tolist()[:3] == ["step", "layer", "cos_a"]
    _save_adapter(tmp_path / "other" / "checkpoint-2", {3: (a, shared)})
    with pytest.raises(ValueError, match="different layers"):
        pair_geometry(tmp_path / "bad", tmp_path / "other")


@pytest.mark.parametrize(("values", "expected"), [
    ({"cos_a": 0.5}, "their `A` vectors differ"),
    ({"dir_diff": -0.4}, "what `bad`'s data adds over `good`'s points against the direction beyond chance"),
    ({"dir_first": 0.3, "dir_second": -0.3, "dir_diff": 0.1}, "`B` of `bad` beyond chance; `B` of `good` beyond chance; their"),
    ({"dir_first": 0.3, "dir_second": 0.05, "dir_diff": 0.1}, "`B` of `good` within chance"),
    ({"dir_diff": float("nan")}, "both `B` point along"),  # identical B: no difference to read
])
def test_the_pair_verdict_follows_each_cosine_and_its_sign(values, expected):
    from em_utils.adapters import _pair_verdict

    row = pd.Series({"cos_a": 0.99, "dir_first": 0.3, "dir_second": 0.3, "dir_diff": 0.0, **values})
    assert expected in _pair_verdict(row, 0.2, "bad", "good")


def test_monitor_projects_each_checkpoint_on_the_direction(tmp_path, tokenizer):
    """Checkpoint weights are loaded in turn: step 0 is the base model, the last step the final adapter."""
    base = tiny_model("llama")
    base.save_pretrained(tmp_path / "base")
    tokenizer.save_pretrained(tmp_path / "base")
    model = _lora(base, layers=(1,))
    model.save_pretrained(tmp_path / "run" / "checkpoint-1")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.mul_(3.0)
    model.save_pretrained(tmp_path / "run" / "adapter")
    (tmp_path / "run" / "train_record.json").write_text(json.dumps({"log": [{"step": 1}, {"step": 2}]}))
    direction = torch.randn(3, 32)
    frame = monitor_projection(tmp_path / "run", direction, [0, 1, 2], QUESTIONS, ANSWERS,
                               model_name=str(tmp_path / "base"), batch_size=2)
    assert sorted(frame["step"].unique()) == [0, 1, 2]
    assert frame.loc[frame.step == 0, "relative"].abs().max() < 1e-6
    assert frame.loc[(frame.step == 1) & (frame.layer == 0), "relative"].abs().max() < 1e-5  # below the adapter
    unit = direction / direction.norm(dim=-1, keepdim=True)
    means = answer_means(model, tokenizer, QUESTIONS, ANSWERS, layers=[0, 1, 2], progress=False)
    expected = torch.einsum("ald,ld->al", means, unit).mean(0)
    np.testing.assert_allclose(frame[frame.step == 2].sort_values("layer")["projection"], expected.numpy(),
                               rtol=1e-4, atol=1e-5)
