"""Residual-stream activations on answers, averaged over the answer's tokens (paper 3's recipe).

Soligo, Turner et al. (2025) run the *same* fine-tuned model on its own judged answers (question
chat-templated, answer appended) and record the output of every decoder block, averaged over the
answer tokens only. :func:`answer_means` does that, capturing the blocks' outputs with nnsight;
:mod:`em_utils.interventions` turns the means into a misalignment direction.

The prompt is tokenised exactly as :func:`em_utils.generation.sample_answers` tokenised it to
sample the answer (chat template with the generation prompt, no special tokens added), and the
answer's tokens are appended, so that the answer positions are the ones the model produced.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from .models import chat_prompt, decoder_layers, resolve_layers, unwrap_model

__all__ = ["answer_tokens", "answer_means"]


def answer_tokens(tokenizer: Any, question: str, answer: str, system: str | None = None) -> tuple[list[int], int]:
    """The token ids of a chat-templated question followed by its answer, and where the answer starts.

    Raises:
        ValueError: for an empty answer (it has no token to average over).
    """
    prompt = tokenizer(chat_prompt(tokenizer, question, system=system), add_special_tokens=False)["input_ids"]
    tail = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if not tail:
        raise ValueError(f"the answer to {question[:60]!r} is empty: no answer token to average over")
    return list(prompt) + list(tail), len(prompt)


def answer_means(model: Any, tokenizer: Any, questions: Sequence[str], answers: Sequence[str],
                 layers: str | Sequence[int | float | str] = "all", batch_size: int = 8,
                 systems: Sequence[str | None] | None = None, progress: bool = True) -> torch.Tensor:
    """Each answer's residual stream after the chosen blocks, averaged over its answer tokens.

    Args:
        model: a transformers causal LM, or a PEFT model (the fine-tune whose answers these are).
        tokenizer: its tokenizer (with a chat template).
        questions, answers: paired texts, one answer per question.
        layers: block specs (indices, relative depths, ``"i/n"``, ``"all"``), see
            :func:`em_utils.models.resolve_layers`.
        batch_size: answers per forward pass (right-padded; padding never enters a mean).
        systems: an optional system prompt per question.

    Returns:
        ``Float[Tensor, "answer layer d_model"]`` in float32 on the CPU, layers in the order given.

    The means come from one nnsight trace per batch; the block outputs are read, never changed.
    """
    from tqdm.auto import tqdm

    if len(questions) != len(answers):
        raise ValueError(f"{len(questions)} questions but {len(answers)} answers: they must pair up")
    blocks = decoder_layers(model)
    chosen = resolve_layers(layers, len(blocks))
    systems = list(systems) if systems is not None else [None] * len(questions)
    encoded = [answer_tokens(tokenizer, q, a, s) for q, a, s in zip(questions, answers, systems)]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(unwrap_model(model).parameters()).device
    from nnsight import NNsight

    traced = NNsight(model)  # runs the model as given: a PEFT model's adapters stay active
    order = sorted(range(len(chosen)), key=lambda k: chosen[k])  # nnsight reads blocks in the order they run
    paths = [_module_path(model, blocks[chosen[k]]) for k in order]
    out = torch.empty(len(encoded), len(chosen), unwrap_model(model).config.hidden_size)
    bar = tqdm(total=len(encoded), desc="answer activations", unit="answer", disable=not progress)
    for start in range(0, len(encoded), batch_size):
        batch = encoded[start : start + batch_size]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros(len(batch), width, dtype=torch.long)
        keep = torch.zeros(len(batch), width, 1)
        for row, (tokens, begin) in enumerate(batch):
            ids[row, : len(tokens)] = torch.as_tensor(tokens)
            mask[row, : len(tokens)] = 1
            keep[row, begin : len(tokens)] = 1.0
        with torch.no_grad():
            with traced.trace(input_ids=ids.to(device), attention_mask=mask.to(device)) as tracer:
                saved = list().save()
                for path in paths:
                    saved.append(_envoy(traced, path).output)
                tracer.stop()  # nothing after the last chosen block is needed (the LM head least of all)
        keep = keep.to(device)
        for column, hidden in zip(order, saved):
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
            means = (hidden.float() * keep).sum(1) / keep.sum(1)
            out[start : start + len(batch), column] = means.cpu()
        bar.update(len(batch))
    bar.close()
    return out


def _module_path(root: torch.nn.Module, module: torch.nn.Module) -> str:
    for name, candidate in root.named_modules():
        if candidate is module:
            return name
    raise LookupError("module not found under the model")  # decoder_layers returned a foreign module


def _envoy(traced: Any, path: str) -> Any:
    envoy = traced
    for part in path.split("."):
        envoy = envoy[int(part)] if part.isdigit() else getattr(envoy, part)
    return envoy
