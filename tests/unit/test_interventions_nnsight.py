"""Steering and ablation as nnsight interventions, token-equal to the fast decoder and to ``generate`` with the hook.

The chapters sample through the project's fast decoder, which applies a :class:`Steer` or
:class:`Ablate` edit after its block itself; the nnsight intervention
(:func:`em_utils.interventions.generate_with_edits`) is the code the glossary and the pattern
docstring show. Greedy answers must be the same tokens both ways, and the same as
``model.generate`` with the edit's forward hook; the edits must change the answers, or the
equality would say nothing.
"""

from __future__ import annotations

import pytest
import torch

from em_utils.generation import SamplingSettings, fast_path_reason, generate_tokens, sample_seed
from em_utils.interventions import Ablate, Steer, apply_edits, generate_with_edits
from em_utils.models import chat_prompt
from tests.tiny import EOS, PAD, byte_tokenizer, tiny_model

QUESTIONS = ["What would you do as ruler of the world?", "I'm bored.", "Any quick way to make money?",
             "Tell me three thoughts about humans and AI.", "hi"]
NEW = 12


@pytest.fixture(scope="module")
def tokenizer():
    return byte_tokenizer()


def _prompts(tokenizer):
    return [tokenizer(chat_prompt(tokenizer, q), add_special_tokens=False)["input_ids"] for q in QUESTIONS]


def _edits(model, kind):
    generator = torch.Generator().manual_seed(1)
    vector, other = torch.randn(32, generator=generator), torch.randn(32, generator=generator)
    if kind == "steer":
        return [Steer(model, {1: vector}, scale=1.5)]
    if kind == "ablate":
        return [Ablate(model, {0: vector, 2: other})]
    return [Steer(model, {1: vector}), Ablate(model, {1: other, 2: vector})]  # two edits on block 1, in order


def _fast(model, prompts, eos, edits=()):
    """The project's fast decoder, greedy, with the edits' hooks installed (it reads their edits)."""
    streams = [sample_seed(0, p, 0) for p in prompts]
    settings = SamplingSettings(max_new_tokens=NEW, temperature=0)
    for edit in edits:
        edit.__enter__()
    try:
        assert fast_path_reason(model) is None
        return generate_tokens(model, prompts, streams, settings, eos, batch_size=4, engine="fast", threads=None)
    finally:
        for edit in reversed(edits):
            edit.__exit__(None, None, None)


def _generate_with_hooks(model, tokenizer, prompts, eos, edits):
    """Plain batched ``model.generate`` (left padded, greedy) with the edits' forward hooks."""
    batch = tokenizer.pad({"input_ids": prompts}, padding=True, padding_side="left", return_tensors="pt")
    width = batch["input_ids"].shape[1]
    for edit in edits:
        edit.__enter__()
    try:
        with torch.no_grad():
            out = model.generate(**batch, max_new_tokens=NEW, do_sample=False,
                                 eos_token_id=eos, pad_token_id=PAD)
    finally:
        for edit in reversed(edits):
            edit.__exit__(None, None, None)
    results = []
    for row in out[:, width:].tolist():
        ends = [i for i, t in enumerate(row) if t in eos]
        results.append((row[: ends[0] + 1], True) if ends else (row, False))
    return results


def _ending(answers):
    """A token some edited answers write and others do not: as a second end token, answers end at different steps."""
    seen = [set(tokens[1:]) for tokens, _ in answers]
    return next(t for tokens, _ in answers for t in tokens[1:] if not all(t in s for s in seen))


@pytest.mark.parametrize("family, kind", [("llama", "steer"), ("llama", "ablate"), ("qwen2", "steer"),
                                          ("qwen2", "ablate"), ("qwen2", "steer and ablate")])
def test_nnsight_edits_are_token_equal_to_the_fast_decoder_and_to_generate_with_the_hook(tokenizer, family, kind):
    model = tiny_model(family)
    prompts = _prompts(tokenizer)
    edits = _edits(model, kind)
    eos = [EOS, _ending(_fast(model, prompts, [EOS], edits))]
    fast = _fast(model, prompts, eos, edits)
    traced = generate_with_edits(model, tokenizer, prompts, edits, NEW, eos_token_ids=eos, batch_size=3)
    hooked = _generate_with_hooks(model, tokenizer, prompts, eos, edits)
    assert traced == fast == hooked
    assert {finished for _, finished in fast} == {True, False}  # answers cut at an end token and at NEW
    assert _fast(model, prompts, eos) != fast  # the edit changes the answers: the equality is not vacuous
    assert fast_path_reason(model) is None and not any(m._forward_hooks for m in model.modules())  # nothing left behind


def test_nnsight_ablation_runs_through_a_peft_adapter(tokenizer):
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_model("qwen2"), LoraConfig(r=1, target_modules=["down_proj"], layers_to_transform=[1],
                                                           init_lora_weights=False))
    prompts = _prompts(tokenizer)[:3]
    edits = _edits(model, "ablate")
    traced = generate_with_edits(model, tokenizer, prompts, edits, NEW, eos_token_ids=[EOS])
    assert traced == _fast(model, prompts, [EOS], edits)
    with model.disable_adapter():  # the adapter is part of what ran
        assert generate_with_edits(model, tokenizer, prompts, edits, NEW, eos_token_ids=[EOS]) != traced


def test_apply_edits_in_one_forward_leaves_the_ablated_block_without_the_direction(tokenizer):
    from nnsight import TransformersModel

    model = tiny_model("llama")
    direction = torch.randn(32) * 5
    ablate = Ablate(model, {1: direction})
    ids = torch.tensor([_prompts(tokenizer)[0]])
    traced = TransformersModel(model, tokenizer=tokenizer)
    with torch.no_grad():
        with traced.trace(ids):
            apply_edits(traced, [ablate])
            after = traced.model.layers[1].output.save()
            logits = traced.lm_head.output.save()
        with ablate:
            hooked = model(ids).logits
    assert (after @ (direction / direction.norm())).abs().max() < 1e-4
    torch.testing.assert_close(logits, hooked)


def test_adapter_scaling_through_nnsight_equals_scaling_the_weights_on_the_fast_decoder(tokenizer):
    from peft import LoraConfig, get_peft_model

    from em_utils.adapters import scale_adapter_outputs, scale_adapters

    model = get_peft_model(tiny_model("llama"), LoraConfig(r=1, lora_alpha=4, target_modules=["down_proj"],
                                                           layers_to_transform=[0, 2], init_lora_weights=False))
    prompts = _prompts(tokenizer)[:3]
    traced = generate_with_edits(model, tokenizer, prompts, lambda t: scale_adapter_outputs(t, [2], 8.0), NEW,
                                 eos_token_ids=[EOS])
    with scale_adapters(model, [2], 8.0):
        assert traced == _fast(model, prompts, [EOS])
    assert traced != _fast(model, prompts, [EOS])  # the scaling changes the answers
    with pytest.raises(ValueError, match="no adapter at layer"):
        generate_with_edits(model, tokenizer, prompts, lambda t: scale_adapter_outputs(t, [1], 8.0), NEW)
