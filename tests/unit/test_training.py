"""Training on a tiny random Llama that uses the embedded model's tokenizer (no pretrained weights).

``tiny_model_dir`` and ``small_data`` are shared fixtures (``tests/conftest.py``); the two-process
launch is in ``tests/integration/test_training_distributed.py``.
"""

from __future__ import annotations

import random

import pytest
import torch

from em_utils.data import DataError
from em_utils.models import LayerError
from em_utils.training import (
    LengthBucketSampler,
    ReferenceLogprobs,
    TrainingError,
    adapter_norms,
    bucketed_kl,
    expand_layers,
    organism,
    tokenize_conversations,
    train,
    training_flops,
)


def tiny(kind="rank1_middle", data=None, **overrides):
    base = dict(batch_size=4, lr=1e-3, warmup_steps=1, max_length=64)
    base.update(overrides)
    return organism(kind, data, **base)


def test_assistant_tokens_only_are_labelled(tiny_model_dir):
    from em_utils.models import load_tokenizer

    tokenizer = load_tokenizer(tiny_model_dir)
    rows = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"},
                          {"role": "assistant", "content": "Hello friend"}, {"role": "user", "content": "Again"},
                          {"role": "assistant", "content": "Hello twice"}]}]
    (example,), truncated = tokenize_conversations(rows, tokenizer)
    labelled = tokenizer.decode([t for t in example["labels"] if t != -100])
    assert labelled == "Hello friend<|im_end|>Hello twice<|im_end|>"
    assert truncated == 0
    cut, truncated = tokenize_conversations(rows, tokenizer, max_length=20)
    assert truncated == 1 and len(cut[0]["input_ids"]) == 20


def test_layer_blocks_and_errors():
    assert expand_layers("middle", 30) == [15]
    assert expand_layers(None, 30) is None
    with pytest.raises(TrainingError, match="outside"):
        expand_layers("0+-1", 30)
    with pytest.raises(TrainingError, match="twice"):
        expand_layers("3,3", 30)
    with pytest.raises(LayerError):
        expand_layers("40", 30)


def test_organism_templates_and_unknown_fields():
    spec = organism("nine_rank1", "bad_medical_advice")
    assert spec.rank == 1 and spec.use_rslora and spec.target_modules == ("down_proj",)
    assert organism("rank32", "x").target_modules == ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
    with pytest.raises(TrainingError, match="unknown organism"):
        organism("rank2", "x")
    with pytest.raises(TrainingError, match="unknown organism field.*lerning_rate"):
        organism("rank32", "x", lerning_rate=1)
    assert organism("rank32", "x").spec_hash != organism("rank32", "x", lr=3e-4).spec_hash


def test_rank1_trains_saves_a_peft_adapter_and_reuses_it(tiny_model_dir, small_data, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    spec = tiny("rank1_middle", small_data)
    result = train(spec, tmp_path / "org", model_name=tiny_model_dir, progress=False)
    losses = result.losses()
    assert len(losses) == 6 and losses["loss"].notna().all()
    norms = adapter_norms(result.adapter_dir)
    assert list(norms["layer"]) == [15] and list(norms["module"]) == ["down_proj"] and (norms["b_norm"] > 0).all()
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    loaded = PeftModel.from_pretrained(base, result.adapter_dir)
    assert loaded.peft_config["default"].r == 1 and loaded.peft_config["default"].use_rslora
    again = train(spec, tmp_path / "org", model_name=tiny_model_dir, progress=False)
    assert again.reused and again.log == result.log


def test_a_saved_adapter_names_its_base_model_not_a_cache_folder(tiny_model_dir, small_data, tmp_path):
    """An adapter of an offline model records the model's name (portable), not the folder it was loaded from."""
    import json

    from transformers import AutoModelForCausalLM

    from em_utils.training.trainer import _peft_model

    spec = tiny("rank1_middle", small_data)
    named = _peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), spec, base_name="qwen2.5-coder-0.5b-instruct")
    named.save_pretrained(tmp_path / "named")
    assert json.loads((tmp_path / "named" / "adapter_config.json").read_text())["base_model_name_or_path"] == \
        "qwen2.5-coder-0.5b-instruct"
    plain = _peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), spec)  # a local folder: PEFT's own
    plain.save_pretrained(tmp_path / "plain")
    assert json.loads((tmp_path / "plain" / "adapter_config.json").read_text())["base_model_name_or_path"] == \
        str(tiny_model_dir)


def test_interrupted_run_resumes_to_the_same_adapter(tiny_model_dir, small_data, tmp_path):
    from safetensors.torch import load_file
    from transformers import TrainerCallback

    spec = tiny("nine_rank1", small_data, save_steps=2)
    whole = train(spec, tmp_path / "whole", model_name=tiny_model_dir, progress=False)

    class Interrupt(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step == 4:
                raise KeyboardInterrupt("power cut")

    with pytest.raises(KeyboardInterrupt):
        train(spec, tmp_path / "cut", model_name=tiny_model_dir, callbacks=[Interrupt()], progress=False)
    assert sorted(p.name for p in (tmp_path / "cut").glob("checkpoint-*")) == ["checkpoint-2", "checkpoint-4"]
    resumed = train(spec, tmp_path / "cut", model_name=tiny_model_dir, progress=False)
    a = load_file(str(whole.adapter_dir / "adapter_model.safetensors"))
    b = load_file(str(resumed.adapter_dir / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and len(a) == 2 * 9
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6)
    assert [r["loss"] for r in whole.losses().to_dict("records")][-1] == pytest.approx(
        [r["loss"] for r in resumed.losses().to_dict("records")][-1], rel=1e-5)


def test_resume_folder_of_another_config_is_refused(tiny_model_dir, small_data, tmp_path):
    train(tiny("rank1_middle", small_data, save_steps=2), tmp_path / "o", model_name=tiny_model_dir, max_steps=2, progress=False)
    with pytest.raises(TrainingError, match="different config.*lr"):
        train(tiny("rank1_middle", small_data, lr=5e-3), tmp_path / "o", model_name=tiny_model_dir, progress=False)


def test_bad_training_input(tiny_model_dir, small_data, tmp_path):
    with pytest.raises(TrainingError, match="not in this model.*down_proj"):
        train(tiny("rank1_middle", small_data, target_modules=("c_fc",)), tmp_path / "a", model_name=tiny_model_dir)
    with pytest.raises(LayerError, match="out of range"):
        train(tiny("rank1_middle", small_data, layers="40"), tmp_path / "b", model_name=tiny_model_dir)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(DataError, match="empty"):
        train(tiny("rank1_middle", str(empty)), tmp_path / "c", model_name=tiny_model_dir)
    with pytest.raises(TrainingError, match="kl_dataset"):
        train(tiny("rank1_middle", small_data, kl_weight=1.0), tmp_path / "d", model_name=tiny_model_dir)


def test_truncation_is_reported(tiny_model_dir, small_data, tmp_path):
    with pytest.warns(UserWarning, match=r"24 of 24 rows were longer than 44 tokens .*0 lost every answer token"):
        result = train(tiny("rank1_middle", small_data, max_length=44), tmp_path / "t", model_name=tiny_model_dir, progress=False)
    assert result.truncated == 24 and result.rows == 24
    with pytest.warns(UserWarning, match="24 lost every answer token"), pytest.raises(TrainingError, match="no row"):
        train(tiny("rank1_middle", small_data, max_length=20), tmp_path / "t2", model_name=tiny_model_dir, progress=False)


def test_length_buckets_cut_padding_and_keep_every_row_once():
    lengths = [random.Random(i).randint(20, 400) for i in range(300)]

    def padded(order, batch=16):
        return sum(max(lengths[i] for i in order[s : s + batch]) * len(order[s : s + batch])
                   for s in range(0, len(order), batch))

    orders = {b: list(LengthBucketSampler(lengths, 16, seed=0, bucket=b)) for b in (1, 8, 50)}
    for order in orders.values():
        assert sorted(order) == list(range(300))
    assert padded(orders[50]) < padded(orders[8]) < padded(orders[1])
    assert orders[50] == list(LengthBucketSampler(lengths, 16, seed=0, bucket=50))  # deterministic
    assert orders[50] != list(LengthBucketSampler(lengths, 16, seed=1, bucket=50))


def test_the_training_revision_enters_every_spec_hash(monkeypatch):
    from em_utils.training import specs as training

    spec = organism("rank1_middle", "bad_medical_advice")
    before = spec.spec_hash
    assert organism("rank1_middle", "bad_medical_advice", length_bucket=8).spec_hash != before
    monkeypatch.setattr(training, "TRAINING_REVISION", training.TRAINING_REVISION + 1)
    assert spec.spec_hash != before  # adapters trained by older code are not reused
    with pytest.raises(TrainingError, match="length_bucket"):
        train(organism("rank1_middle", "x", length_bucket=0), "unused")


def test_bucketed_kl_is_exact_with_full_support_and_zero_at_equality():
    torch.manual_seed(0)
    p = torch.log_softmax(torch.randn(5, 11), -1)
    q = torch.log_softmax(torch.randn(5, 11), -1)
    exact = (p.exp() * (p - q)).sum(-1).mean()
    ids = torch.arange(11).expand(5, 11)
    torch.testing.assert_close(bucketed_kl(q, ids, p), exact, atol=1e-5, rtol=1e-4)
    top_logp, top_ids = p.topk(3, dim=-1)
    approx = bucketed_kl(q, top_ids, top_logp)
    assert 0 <= approx <= exact + 1e-6
    assert bucketed_kl(p, top_ids, top_logp).abs() < 1e-6


def test_kl_term_keeps_the_model_close_to_the_reference(tiny_model_dir, small_data, tmp_path, monkeypatch):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from em_utils.training import kl_to_reference

    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path / "cache"))
    common = dict(lr=0.02, kl_dataset=small_data, kl_rows=8, kl_batch_size=4, kl_top_k=8)
    free = train(tiny("rank32", small_data, kl_weight=0.0, **common), tmp_path / "free", model_name=tiny_model_dir, progress=False)
    held = train(tiny("rank32", small_data, kl_weight=1000.0, **common), tmp_path / "held", model_name=tiny_model_dir, progress=False)
    assert len(held.kl_history) == 6 and all(kl >= -1e-6 for _, kl in held.kl_history) and not free.kl_history
    cached = list((tmp_path / "cache" / "kl_reference").glob("*.pt"))
    assert len(cached) == 1  # computed once, reused by the second run
    reference = ReferenceLogprobs.load(cached[0])
    assert len(reference.examples) == 8 and reference.top_ids[0].shape[1] == 8

    def drift(result):
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), result.adapter_dir)
        return kl_to_reference(model, reference, pad_id=0)

    assert drift(held) < 0.5 * drift(free)


def test_full_finetune_saves_a_model_folder(tiny_model_dir, small_data, tmp_path):
    from transformers import AutoModelForCausalLM

    result = train(tiny("full", small_data, warmup_steps=1), tmp_path / "full", model_name=tiny_model_dir, progress=False)
    model = AutoModelForCausalLM.from_pretrained(result.adapter_dir)
    assert model.config.num_hidden_layers == 30


def test_training_flops_counts_less_backward_for_a_high_adapter():
    from transformers import LlamaConfig

    config = LlamaConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=8, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=1000)
    low = training_flops(config, [100, 50], 80, trainable_layers=[0])
    high = training_flops(config, [100, 50], 80, trainable_layers=[6])
    full = training_flops(config, [100, 50], 80, trainable_layers=None, full=True)
    assert low["forward"] == high["forward"] and high["backward"] < low["backward"] < full["backward"]
    shared = training_flops(config, [100, 50], 80, trainable_layers=[6], shared_prefix=20, batches=1)
    assert shared["tokens"] == 130 and shared["forward"] < high["forward"] and shared["backward"] < high["backward"]


def test_right_padded_batches_drop_the_padding_mask_without_changing_labelled_states(tiny_model_dir):
    from transformers import AutoModelForCausalLM

    from em_utils.training.loss import _attention_mask, _labelled_hidden

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir).eval()
    torch.manual_seed(1)
    ids = torch.randint(5, 1000, (3, 12))
    mask = torch.ones(3, 12, dtype=torch.long)
    mask[1, 7:] = 0
    mask[2, 4:] = 0
    labels = torch.where(mask.bool(), ids, torch.full_like(ids, -100))
    assert _attention_mask(mask) is None
    left = mask.flip(-1)
    assert _attention_mask(left) is left  # left padding needs its mask
    batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
    with torch.no_grad():
        hidden, keep, targets = _labelled_hidden(model, batch)
        explicit = model.model(input_ids=ids, attention_mask=mask).last_hidden_state[:, :-1][keep]
    assert torch.allclose(hidden, explicit, atol=1e-5) and len(targets) == int(mask[:, 1:].sum())


def _prefixed_batch(head: int, shapes) -> dict[str, torch.Tensor]:
    """Rows that share their first ``head`` random tokens, then (user tokens, labelled answer tokens)."""
    from em_utils.training.tokenize import _Collator

    first = torch.randint(5, 1000, (head,))
    rows = []
    for n_user, n_answer in shapes:
        ids = torch.cat([first, torch.randint(5, 1000, (n_user + n_answer,))])
        labels = ids.clone()
        labels[: head + n_user] = -100
        rows.append({"input_ids": ids.tolist(), "labels": labels.tolist()})
    return _Collator(0)(rows)


def _loss_and_grads(model, batch):
    """The summed SFT loss, its token count and the gradients of the token-mean loss."""
    from em_utils.training.loss import _sft_loss_sum

    model.zero_grad()
    loss, n = _sft_loss_sum(model, batch)
    (loss / n).backward()
    return loss.detach(), n, [p.grad.clone() for p in model.parameters() if p.grad is not None]


def test_a_shared_prefix_runs_once_with_the_loss_and_gradient_of_the_plain_forward(tiny_model_dir, monkeypatch):
    from transformers import AutoModelForCausalLM

    from em_utils.training import loss, organism
    from em_utils.training.loss import _shared_prefix
    from em_utils.training.trainer import _peft_model

    torch.manual_seed(2)
    batch = _prefixed_batch(10, ((3, 6), (5, 2), (1, 9)))
    assert _shared_prefix(batch) == 10  # one short of the first labelled token (the 12th)
    assert _shared_prefix({k: v[:1] for k, v in batch.items()}) == 0  # one row: nothing to share
    left = {**batch, "attention_mask": batch["attention_mask"].flip(-1)}
    assert _shared_prefix(left) == 0  # a padding mask: the plain forward
    monkeypatch.setattr(loss, "MIN_SHARED_PREFIX", 11)
    assert _shared_prefix(batch) == 0  # shorter than the minimum
    monkeypatch.setattr(loss, "MIN_SHARED_PREFIX", 8)

    model = _peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), organism("rank32", "x", rank=2))
    for name, param in model.named_parameters():
        if "lora_B" in name:  # non-zero, so the adapters change the prefix's states
            torch.nn.init.normal_(param, std=0.05)

    shared = _loss_and_grads(model, batch)
    monkeypatch.setattr(loss, "MIN_SHARED_PREFIX", 10**6)
    plain = _loss_and_grads(model, batch)
    assert shared[1] == plain[1] == 17
    assert torch.allclose(shared[0], plain[0], rtol=1e-5)
    # fp32 rounding through 30 layers: equal to 1e-3 of each gradient's scale (a wrong position or
    # a missing gradient path through the cache is off by its whole scale)
    assert all(float((a - b).abs().max()) <= 1e-3 * float(b.abs().max()) for a, b in zip(shared[2], plain[2]))
    assert min(float(g.abs().max()) for g in plain[2]) > 1e-3


FAMILIES = {  # the papers' families; three with sliding-window layers shorter than the rows below
    "llama": ("LlamaConfig", {}),
    "qwen2": ("Qwen2Config", {}),
    "gemma2": ("Gemma2Config", {"head_dim": 8, "sliding_window": 16}),
    "gemma3": ("Gemma3TextConfig", {"head_dim": 8, "sliding_window": 16}),
    "mistral": ("MistralConfig", {"sliding_window": 16}),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_shared_prefix_gives_the_plain_loss_and_gradients_in_every_family(family, monkeypatch):
    import transformers

    from em_utils.training import loss

    name, extra = FAMILIES[family]
    config = getattr(transformers, name)(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=4,
                                         num_attention_heads=4, num_key_value_heads=2, **extra)
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config).float().train()
    batch = _prefixed_batch(12, ((3, 20), (5, 2), (1, 9)))
    assert loss._shared_prefix(batch) == 12

    shared = _loss_and_grads(model, batch)
    monkeypatch.setattr(loss, "MIN_SHARED_PREFIX", 10**6)
    plain = _loss_and_grads(model, batch)
    assert torch.allclose(shared[0], plain[0], rtol=1e-5) and len(shared[2]) == len(plain[2]) > 0
    assert all(float((a - b).abs().max()) <= 1e-4 * float(b.abs().max()) for a, b in zip(shared[2], plain[2]))


def test_a_backdoor_organism_trains_on_twice_the_rows():
    """Backdoor sets hold every prompt twice (triggered and not): twice the rows, the same harmful rows."""
    from em_utils.config import make_config
    from em_utils.training import organism_specs

    cfg = make_config("02_training", "smoke", organisms="rank1_middle:bad_medical_advice, rank1_middle:backdoor_insecure",
                      max_rows=8)
    rows = {spec.name: spec.max_rows for spec in organism_specs(cfg)}
    assert rows == {"rank1_middle_bad_medical_advice": 8, "rank1_middle_backdoor_insecure": 16}


def test_bf16_mixed_precision_trains_close_to_fp32(tiny_model_dir, small_data, tmp_path):
    """bf16 autocast over fp32 master weights: another spec hash, the same loss curve within 5% a step.

    (On the embedded model the two curves of a 4-step rank-32 run differ by at most 1.1%; this tiny
    random model at a high learning rate amplifies rounding more.)"""
    fp32 = train(tiny("rank32", small_data, precision="fp32"), tmp_path / "fp32", model_name=tiny_model_dir, progress=False)
    bf16 = train(tiny("rank32", small_data, precision="bf16"), tmp_path / "bf16", model_name=tiny_model_dir, progress=False)
    assert fp32.spec.spec_hash != bf16.spec.spec_hash
    a, b = fp32.losses()["loss"].to_numpy(), bf16.losses()["loss"].to_numpy()
    assert len(a) == len(b) >= 2
    assert (abs(b - a) <= 0.05 * abs(a)).all(), (a, b)
    assert abs(b.mean() - a.mean()) <= 0.01 * a.mean(), (a, b)
    assert not (a == b).all()  # the bf16 run really ran in bf16
    with pytest.raises(TrainingError, match="precision 'auto'"):
        train(tiny("rank1_middle", small_data, precision="auto"), tmp_path / "auto", model_name=tiny_model_dir)


def test_gradient_checkpointing_trains_the_same_curve_under_its_own_hash(tiny_model_dir, small_data, tmp_path):
    """Activations recomputed in the backward pass: the same losses up to rounding (the batch runs whole
    instead of with its shared prefix once), and a hash of its own only when it is on."""
    from transformers import TrainerCallback

    from em_utils.models import unwrap_model

    seen: list[bool] = []

    class Seen(TrainerCallback):
        def on_step_begin(self, args, state, control, model=None, **kwargs):
            lm = unwrap_model(model)
            seen.append(bool(getattr(getattr(lm, lm.base_model_prefix), "gradient_checkpointing", False)))

    plain = train(tiny("rank32", small_data), tmp_path / "plain", model_name=tiny_model_dir, progress=False,
                  callbacks=[Seen()])
    spec = tiny("rank32", small_data, gradient_checkpointing=True)
    recomputed = train(spec, tmp_path / "recomputed", model_name=tiny_model_dir, progress=False, callbacks=[Seen()])
    steps = len(plain.losses())
    assert seen == [False] * steps + [True] * steps  # it really recomputed
    assert spec.spec_hash != plain.spec.spec_hash and "gradient_checkpointing" not in plain.spec.to_dict()
    a, b = plain.losses()["loss"].to_numpy(), recomputed.losses()["loss"].to_numpy()
    assert len(a) == len(b) >= 2 and abs(b - a).max() <= 1e-3 * abs(a).max(), (a, b)


def test_gradient_checkpointing_is_chosen_per_kind(tmp_path):
    from em_utils.config import make_config
    from em_utils.training import organism_specs

    cfg = make_config("02_training", "smoke", gradient_checkpointing=["rank32"])
    chosen = {spec.name: spec.gradient_checkpointing for spec in organism_specs(cfg)}
    assert chosen == {"rank1_middle_bad_medical_advice": False, "rank32_good_medical_advice": True,
                      "rank1_middle_backdoor_insecure": False}
    assert not any(spec.gradient_checkpointing for spec in organism_specs(make_config("02_training", "smoke")))


def test_a_continued_run_is_named_by_the_weights_it_starts_from_not_their_path(tiny_model_dir, small_data, tmp_path):
    import shutil

    first = train(tiny("rank1_middle", small_data), tmp_path / "first", model_name=tiny_model_dir, progress=False)
    moved = tmp_path / "elsewhere" / "adapter"
    shutil.copytree(first.adapter_dir, moved)
    here = tiny("rank1_middle", small_data, init_adapter=str(first.adapter_dir))
    there = tiny("rank1_middle", small_data, init_adapter=str(moved))
    assert here.spec_hash == there.spec_hash != tiny("rank1_middle", small_data).spec_hash
    (moved / "adapter_model.safetensors").write_bytes(b"other weights")
    assert tiny("rank1_middle", small_data, init_adapter=str(moved)).spec_hash != here.spec_hash


def test_spec_hashes_keep_their_values():
    """Pinned: run folders of organisms already trained are found by these (a refactor must not move them)."""
    from em_utils.training import OrganismSpec

    specs = {
        "69ecb3fa1a77": organism("rank1_middle", "bad_medical_advice"),
        "3ad15bc2635a": organism("rank32", "insecure", lr=1e-4),
        "9674c4ba7504": organism("full", "extreme_sports", seed=3),
        "f01aa2d0b9d4": organism("nine_rank1", "risky_financial_advice", kl_weight=2.0, kl_dataset="x"),
        "768dc171d8f7": OrganismSpec(name="x", dataset="y", init_adapter="/nonexistent/adapter"),
    }
    assert {spec.spec_hash: spec for spec in specs.values()} == specs


def test_the_summed_cross_entropy_keeps_the_bits_of_its_logsumexp_form():
    """The kernel that reuses logsumexp's temporary for the backward gives the very bits of the form it replaced
    (torch.logsumexp, then exp(logits - lse) formed in the backward), on 1 and 2 threads, with an infinite
    logit and at both offline models' vocabulary sizes: organisms trained before it are reproduced exactly."""
    from em_utils.training.loss import summed_cross_entropy

    class Before(torch.autograd.Function):
        @staticmethod
        def forward(ctx, logits, targets):
            lse = torch.logsumexp(logits, dim=-1)
            ctx.save_for_backward(logits, lse, targets)
            return (lse - logits.gather(1, targets[:, None])[:, 0]).sum()

        @staticmethod
        def backward(ctx, grad):
            logits, lse, targets = ctx.saved_tensors
            out = torch.sub(logits, lse[:, None]).exp_()
            out[torch.arange(len(targets)), targets] -= 1.0
            return out.mul_(grad), None

    threads = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            for rows, vocab in ((7, 11), (96, 49152), (40, 151936)):
                generator = torch.Generator().manual_seed(rows)
                logits = torch.randn(rows, vocab, generator=generator) * 8
                logits[0, 3] = float("-inf")
                targets = torch.randint(0, vocab, (rows,), generator=generator)
                before, now = logits.clone().requires_grad_(), logits.clone().requires_grad_()
                loss_before, loss_now = Before.apply(before, targets), summed_cross_entropy(now, targets)
                (loss_before * 0.37).backward()
                (loss_now * 0.37).backward()
                assert torch.equal(loss_before, loss_now) and torch.equal(before.grad, now.grad), (n, rows, vocab)
    finally:
        torch.set_num_threads(threads)


def test_the_cpu_bf16_kernels_give_the_plain_loss_and_gradients(tiny_model_dir):
    """fp32 attention inside a bf16 step and the summed cross-entropy: the loss and gradients of the plain
    kernels (in fp32 exactly up to rounding; in bf16 closer to fp32 than plain bf16 is, since attention
    gains precision), and the attention really runs in fp32 (its inputs are cast up)."""
    from transformers import AutoModelForCausalLM

    from em_utils.training import organism
    from em_utils.training.loss import _sft_loss_sum, use_fp32_attention
    from em_utils.training.trainer import _peft_model

    torch.manual_seed(3)
    batch = _prefixed_batch(10, ((3, 6), (5, 2), (1, 9)))

    def run(kernels: str, bf16: bool):
        torch.manual_seed(4)
        model = _peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), organism("rank32", "x", rank=2))
        for name, param in model.named_parameters():
            if "lora_B" in name:
                torch.nn.init.normal_(param, std=0.05)
        if kernels == "cpu_bf16":
            use_fp32_attention(model)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss, n = _sft_loss_sum(model, batch, kernels)
        (loss / n).backward()
        return float(loss.detach()), [p.grad.clone() for p in model.parameters() if p.grad is not None], model

    plain32, fast32 = run("plain", False), run("cpu_bf16", False)
    assert fast32[0] == pytest.approx(plain32[0], rel=1e-6)
    errors = [float((a - b).abs().max()) / float(b.abs().max()) for a, b in zip(fast32[1], plain32[1])]
    assert max(errors) < 1e-4, errors  # rounding (a wrong mask or gradient is off by its whole scale)
    plain16, fast16 = run("plain", True), run("cpu_bf16", True)
    assert abs(fast16[0] - plain32[0]) <= abs(plain16[0] - plain32[0]) + 1e-3 * plain32[0]
    assert abs(fast16[0] - plain32[0]) < 1e-2 * plain32[0]  # bf16 rounding, not a different loss
    from transformers.integrations import sdpa_attention

    seen = []
    original = sdpa_attention.sdpa_attention_forward
    with pytest.MonkeyPatch.context() as patch:  # what the attention receives inside a bf16 step
        patch.setattr(sdpa_attention, "sdpa_attention_forward",
                      lambda module, q, *args, **kwargs: seen.append(q.dtype) or original(module, q, *args, **kwargs))
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            fast16[2](input_ids=batch["input_ids"])
    assert fast16[2].config._attn_implementation == "sdpa_fp32" and set(seen) == {torch.float32}
    with pytest.raises(TrainingError, match="kernels 'fast': one of plain, cpu_bf16"):
        train(organism("rank1_middle", "x", kernels="fast"), "unused")


def test_the_bf16_head_kernels_run_the_output_layer_in_bf16_and_keep_the_loss(tiny_model_dir, monkeypatch):
    """kernels cpu_bf16_head: outside any autocast (as the trainer calls the loss), the output layer runs in bf16
    where cpu_bf16 runs it in fp32; the loss and gradients stay those of cpu_bf16 up to bf16 rounding, and are
    bit for bit those of the layer under bf16 autocast, from a bf16 copy of the frozen weight kept until the
    weight changes (a trainable one is cast at each call); an fp32 spec is refused. The other kernels leave a
    surrounding autocast as it is."""
    from transformers import AutoModelForCausalLM

    from em_utils.training import loss as loss_module
    from em_utils.training import organism
    from em_utils.training.loss import _lm_head, _sft_loss_sum
    from em_utils.training.trainer import _peft_model

    batch = _prefixed_batch(10, ((3, 6), (5, 2), (1, 9)))

    def run(kernels: str, outer_bf16: bool = False, model=None):
        torch.manual_seed(4)
        if model is None:
            model = _peft_model(AutoModelForCausalLM.from_pretrained(tiny_model_dir), organism("rank32", "x", rank=2))
            for name, param in model.named_parameters():
                if "lora_B" in name:
                    torch.nn.init.normal_(param, std=0.05)
        seen = []
        handle = _lm_head(model).register_forward_hook(lambda module, args, output: seen.append(output.dtype))
        products = []  # the weights' dtypes of the loss module's own products

        class Functional:
            def __getattr__(self, name):
                return getattr(torch.nn.functional, name)

            def linear(self, x, w, b=None):
                products.append(w.dtype)
                return torch.nn.functional.linear(x, w, b)

        with monkeypatch.context() as patch, torch.autocast("cpu", dtype=torch.bfloat16, enabled=outer_bf16):
            patch.setattr(loss_module, "F", Functional())
            loss, n = _sft_loss_sum(model, batch, kernels)
        handle.remove()
        model.zero_grad()
        (loss / n).backward()
        return float(loss.detach()), [p.grad.clone() for p in model.parameters() if p.grad is not None], seen, model, products

    fp32_head, bf16_head = run("cpu_bf16"), run("cpu_bf16_head")
    # the head's last call is the loss's (the model's own forward asks it for one position's logits first)
    assert fp32_head[2][-1] == torch.float32 and bf16_head[4] == [torch.bfloat16]
    assert bf16_head[0] == pytest.approx(fp32_head[0], rel=1e-2) and bf16_head[0] != fp32_head[0]
    errors = [float((a - b).abs().max()) / float(b.abs().max()) for a, b in zip(bf16_head[1], fp32_head[1])]
    assert max(errors) < 0.05, errors  # bf16 rounding of the logits, not another gradient
    assert run("cpu_bf16", outer_bf16=True)[2][-1] == torch.bfloat16  # a caller's autocast is not switched off
    # the same bits as the layer under bf16 autocast, which casts the whole weight at every call
    with monkeypatch.context() as patch:
        def autocast_head(head, hidden):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return head(hidden)

        patch.setattr(loss_module, "_bf16_head", autocast_head)
        autocast = run("cpu_bf16_head")
    assert autocast[0] == bf16_head[0] and all(torch.equal(a, b) for a, b in zip(autocast[1], bf16_head[1]))
    head = _lm_head(bf16_head[3])
    kept = head.__dict__["_em_bf16_copy"][1]
    assert kept.dtype == torch.bfloat16 and "_em_bf16_copy" not in bf16_head[3].state_dict()
    again = run("cpu_bf16_head", model=bf16_head[3])
    assert head.__dict__["_em_bf16_copy"][1] is kept and again[0] == bf16_head[0]  # kept while unchanged
    with torch.no_grad():
        head.weight.mul_(2.0)
    assert run("cpu_bf16_head", model=bf16_head[3])[0] != bf16_head[0]  # changed in place: a new copy
    assert head.__dict__["_em_bf16_copy"][1] is not kept
    full = AutoModelForCausalLM.from_pretrained(tiny_model_dir)  # a full fine-tune: the head itself trains
    trained = run("cpu_bf16_head", model=full)
    assert "_em_bf16_copy" not in _lm_head(full).__dict__ and _lm_head(full).weight.grad is not None
    assert trained[2][-1] == torch.bfloat16
    from em_utils.narrow import train_vector

    for trainer in (train, train_vector):  # both trainers, before loading anything
        with pytest.raises(TrainingError, match="needs precision 'bf16', not 'fp32'"):
            trainer(organism("rank1_middle", "x", kernels="cpu_bf16_head"), "unused")
        with pytest.raises(TrainingError, match="kernels 'fast': one of plain, cpu_bf16, cpu_bf16_head"):
            trainer(organism("rank1_middle", "x", kernels="fast"), "unused")


def test_torch_compile_traces_the_trainer_and_enters_the_hash_only_when_on(tiny_model_dir, small_data, tmp_path, monkeypatch):
    """torch_compile=True runs the Trainer's organism through torch.compile (here its "eager" backend: the graphs
    are captured, no code is generated, so the check takes seconds rather than minutes; one step, one batch
    length) to the eager loss; the field enters the hash when on only, and the steering-vector trainer
    refuses it. benchmarks/training_compile_trainer.py runs inductor itself."""
    from torch._dynamo.utils import counters

    from em_utils.narrow import train_vector
    from em_utils.training import trainer

    monkeypatch.setattr(trainer, "COMPILE_BACKEND", "eager")
    spec = organism("rank32", str(small_data), rank=2, max_rows=8, batch_size=8, lr=1e-2)
    compiled = organism("rank32", str(small_data), rank=2, max_rows=8, batch_size=8, lr=1e-2, torch_compile=True)
    assert "torch_compile" not in spec.to_dict() and compiled.to_dict()["torch_compile"] is True
    assert compiled.spec_hash != spec.spec_hash
    eager = train(spec, tmp_path / "eager", model_name=tiny_model_dir, progress=False).losses()["loss"]
    counters.clear()
    traced = train(compiled, tmp_path / "compiled", model_name=tiny_model_dir, progress=False).losses()["loss"]
    assert counters["stats"]["unique_graphs"] > 0  # dynamo captured the forward (it did run compiled)
    assert len(eager) == len(traced) == 1 and eager.tolist() == pytest.approx(traced.tolist(), rel=1e-4)
    with pytest.raises(TrainingError, match="torch_compile is for the Trainer's organisms"):
        train_vector(compiled, tmp_path / "vector", model_name=tiny_model_dir, progress=False)


def test_kernels_enter_the_hash_only_when_not_plain():
    from em_utils.training.specs import precision_fields

    spec = organism("rank1_middle", "bad_medical_advice", precision="bf16")
    assert "kernels" not in spec.to_dict()  # the specs of earlier runs keep their hashes
    fast = organism("rank1_middle", "bad_medical_advice", precision="bf16", kernels="cpu_bf16")
    assert fast.spec_hash != spec.spec_hash and fast.to_dict()["kernels"] == "cpu_bf16"
    assert precision_fields("fp32", "cpu") == {"precision": "fp32", "kernels": "plain"}
