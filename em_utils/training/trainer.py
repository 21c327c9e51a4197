"""Training an organism: the Trainer subclass, :func:`train` and what it leaves behind."""

from __future__ import annotations

import json
import os
import resource
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import torch

from ..data import load_jsonl
from ..models import _offline, load_model, num_layers
from .kl import ReferenceLogprobs, _reference, bucketed_kl
from .loss import _labelled_hidden, _lm_head, _sft_loss_sum, use_kernels
from .specs import TRAINING_REVISION, OrganismSpec, TrainingError, check_kernels, expand_layers
from .tokenize import LengthBucketSampler, _Collator, tokenize_conversations

__all__ = ["TrainResult", "train", "training_summary"]

#: The ``torch.compile`` backend of a spec with ``torch_compile`` on (the tests swap in dynamo's ``"eager"``,
#: which captures the same graphs without generating code).
COMPILE_BACKEND = "inductor"


def _make_trainer_class():
    from transformers import Trainer

    class OrganismTrainer(Trainer):
        """A Trainer whose loss takes logits only at labelled positions, plus the optional KL term."""

        spec: OrganismSpec
        reference: ReferenceLogprobs | None = None
        pad_id: int = 0
        lengths: list[int] = []

        def _get_train_sampler(self, train_dataset=None):
            # Batches of the spec's (global) size: under a distributed launch accelerate deals
            # consecutive per-process slices of this order to the processes, so each optimiser step
            # sees the very rows that one process would.
            return LengthBucketSampler(self.lengths, self.spec.batch_size, seed=self.args.seed,
                                       bucket=self.spec.length_bucket)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss_sum, n = _sft_loss_sum(model, inputs, self.spec.kernels)
            denominator = num_items_in_batch if num_items_in_batch is not None else max(n, 1)
            if hasattr(denominator, "to"):
                denominator = denominator.to(loss_sum.device)
            loss = loss_sum / denominator
            if num_items_in_batch is not None and self.args.average_tokens_across_devices and self.args.world_size > 1:
                # The denominator counts every process's tokens and DDP averages the gradients
                # over processes: scale back, so the gradient is that of the global token mean.
                loss = loss * self.args.world_size
            if self.reference is not None and self.spec.kl_weight > 0:
                loss = loss + self.spec.kl_weight * self._kl(model) / self.args.gradient_accumulation_steps
            return (loss, None) if return_outputs else loss

        def _kl(self, model) -> torch.Tensor:
            # The KL batch is a function of the optimiser step and micro-step only: exact on resume.
            step = self.state.global_step
            micro = getattr(self, "_kl_micro", (step, 0))
            micro = (step, micro[1] + 1) if micro[0] == step else (step, 0)
            self._kl_micro = micro
            n = len(self.reference.examples)
            size = self.spec.kl_batch_size
            first = ((step * self.args.gradient_accumulation_steps + micro[1]) * size) % n
            indices = [(first + j) % n for j in range(size)]
            batch, ref_ids, ref_logp = self.reference.batch(indices, self.pad_id)
            device = next(model.parameters()).device
            batch = {k: v.to(device) for k, v in batch.items()}
            hidden, _, _ = _labelled_hidden(model, batch)
            logq = torch.log_softmax(_lm_head(model)(hidden).float(), dim=-1)
            kl = bucketed_kl(logq, ref_ids.to(device), ref_logp.to(device))
            self.kl_history.append((step, float(kl.detach())))
            return kl

    return OrganismTrainer


# --- Training -----------------------------------------------------------------------------------


@dataclass
class TrainResult:
    """What :func:`train` leaves behind, and where."""

    spec: OrganismSpec
    output_dir: Path
    adapter_dir: Path
    checkpoints: list[Path]
    log: list[dict[str, Any]]
    rows: int
    truncated: int
    tokens: int
    assistant_tokens: int
    seconds: float
    reused: bool = False
    kl_history: list[tuple[int, float]] = field(default_factory=list)
    peak_rss_gib: float | None = None  #: the process's peak resident memory when training ended

    def losses(self):
        """The training loss per optimiser step, as a frame (step, loss, learning_rate, grad_norm)."""
        import pandas as pd

        rows = [r for r in self.log if "loss" in r]
        return pd.DataFrame(rows)[[c for c in ("step", "loss", "learning_rate", "grad_norm") if c in rows[0]]] if rows else pd.DataFrame()


def _base_name(model_name: str | None) -> str | None:
    """What a saved adapter names as its base: the offline model's name rather than the cache folder it was
    loaded from (``/root/.cache/...``, which says nothing on another machine); ``None`` (PEFT's own) for a
    Hub id or a local folder, which already name the model as the user gave it.

    >>> _base_name(None), _base_name("qwen0.5b"), _base_name("/models/mine")
    ('smollm2-135m-instruct', 'qwen2.5-coder-0.5b-instruct', None)
    """
    offline = _offline(model_name)
    return offline.name if offline is not None else None


def _peft_model(model, spec: OrganismSpec, base_name: str | None = None):
    from peft import LoraConfig, get_peft_model

    n = num_layers(model)
    layers = expand_layers(spec.layers, n)
    names = {name.split(".")[-1] for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)}
    missing = sorted(set(spec.target_modules) - names)
    if missing:
        raise TrainingError(
            f"target module(s) {', '.join(missing)} not in this model; its linear modules are {', '.join(sorted(names))}"
        )
    config = LoraConfig(
        r=spec.rank,
        lora_alpha=spec.alpha,
        use_rslora=spec.use_rslora,
        target_modules=list(spec.target_modules),
        layers_to_transform=layers,
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    peft = get_peft_model(model, config)
    if base_name:
        peft.peft_config["default"].base_model_name_or_path = base_name
    return peft


def _load_adapter_weights(model, adapter_dir: Path) -> None:
    """Copy a saved adapter's weights into ``model``'s adapter of the same shape (the start of a continued run)."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    file = adapter_dir / "adapter_model.safetensors"
    if not file.is_file():
        raise TrainingError(f"{adapter_dir}: no adapter_model.safetensors there")
    result = set_peft_model_state_dict(model, load_file(str(file)))
    unexpected = getattr(result, "unexpected_keys", None) or []
    if unexpected:
        raise TrainingError(f"{adapter_dir}: weights that fit no adapter of this model: {unexpected[:3]}")


def _check_resume_folder(output_dir: Path, spec: OrganismSpec) -> None:
    saved = output_dir / "organism.json"
    if not saved.is_file():
        return
    previous = json.loads(saved.read_text())
    if previous.get("spec_hash") == spec.spec_hash:
        return
    diffs = sorted(k for k, v in spec.to_dict().items() if previous.get("spec", {}).get(k) != v)
    raise TrainingError(
        f"{output_dir} holds a run of a different config (fields that differ: {', '.join(diffs) or '?'}); "
        f"use another output folder, or delete it to start over"
    )


def _last_checkpoint(output_dir: Path) -> Path | None:
    checkpoints = sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
    return checkpoints[-1] if checkpoints else None


def train(
    spec: OrganismSpec,
    output_dir: str | Path,
    model_name: str | None = None,
    device: str = "cpu",
    resume: bool = True,
    max_steps: int | None = None,
    callbacks: Sequence[Any] = (),
    progress: bool = True,
) -> TrainResult:
    """Fine-tune one organism and save it in the standard formats.

    LoRA organisms are saved with PEFT's ``save_pretrained`` in ``<output_dir>/adapter``
    (loadable with ``PeftModel.from_pretrained``); full fine-tunes as a model folder in
    ``<output_dir>/model``. Checkpoints go to ``<output_dir>/checkpoint-<step>``.

    Args:
        spec: the organism (see :func:`organism`).
        output_dir: the organism's folder. If it already holds a finished run of the same spec,
            that run is reused; if it holds checkpoints of the same spec and ``resume``, training
            continues from the last one; a folder of a different spec is refused.
        model_name: the base model (default: the embedded one).
        max_steps: stop after this many optimiser steps (used to test resuming).
        callbacks: extra ``transformers.TrainerCallback`` objects.
    """
    from transformers import TrainingArguments

    output_dir = Path(output_dir)
    _check_resume_folder(output_dir, spec)
    final_dir = output_dir / ("adapter" if spec.method == "lora" else "model")
    record_path = output_dir / "train_record.json"
    if (final_dir.is_dir() and record_path.is_file() and max_steps is None
            and json.loads(record_path.read_text()).get("spec_hash") == spec.spec_hash):
        record = json.loads(record_path.read_text())
        return TrainResult(spec=spec, output_dir=output_dir, adapter_dir=final_dir,
                           checkpoints=sorted(output_dir.glob("checkpoint-*")), log=record["log"],
                           rows=record["rows"], truncated=record["truncated"], tokens=record["tokens"],
                           assistant_tokens=record["assistant_tokens"], seconds=record["seconds"], reused=True,
                           kl_history=[tuple(x) for x in record.get("kl_history", [])],
                           peak_rss_gib=record.get("peak_rss_gib"))
    if spec.method not in ("lora", "full"):
        raise TrainingError(f"unknown method {spec.method!r}: use 'lora' or 'full'")
    if spec.length_bucket < 1:
        raise TrainingError(f"length_bucket is {spec.length_bucket}: it counts batches per bucket, at least 1")
    if spec.precision not in ("fp32", "bf16"):
        raise TrainingError(f"precision {spec.precision!r}: a spec holds 'fp32' or 'bf16' "
                            "(resolve 'auto' with em_utils.precision.resolve_precision)")
    check_kernels(spec)

    started = time.perf_counter()
    torch.manual_seed(spec.seed)
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    world = int(os.environ.get("WORLD_SIZE", "1"))  # under accelerate launch / torchrun
    distributed = world > 1
    if spec.batch_size % world:
        raise TrainingError(f"batch_size {spec.batch_size} does not split over {world} processes: the batch is the "
                            "global one (each process takes batch_size / processes rows), so make it a multiple")
    main_process = int(os.environ.get("RANK", "0")) == 0  # the process that writes files (rank 0 of the world)
    # Under a distributed launch the Trainer places the model on each process's device itself.
    # A full fine-tune trains the base weights themselves: they stay fp32 (the master weights of bf16 mixed
    # precision); loaded in bf16 on a GPU, an AdamW step of the papers' lr 2e-5 rounds away on most weights.
    model, tokenizer = load_model(model_name, device="cpu" if distributed else device,
                                  dtype=torch.float32 if device == "cpu" or spec.method == "full" else None)
    use_kernels(model, spec.kernels)
    rows = load_jsonl(spec.dataset)
    rows = rows[: spec.max_rows] if spec.max_rows else rows
    examples, truncated = tokenize_conversations(rows, tokenizer, spec.max_length)
    if truncated:
        warnings.warn(f"{spec.dataset}: {truncated} of {len(rows)} rows were longer than {spec.max_length} tokens "
                      f"and were truncated ({len(rows) - len(examples)} lost every answer token and were dropped)")
    if not examples:
        raise TrainingError(f"{spec.dataset}: no row has an assistant token to train on (max_length {spec.max_length})")

    reference = None
    if spec.kl_weight > 0:
        if not spec.kl_dataset:
            raise TrainingError("kl_weight > 0 needs kl_dataset (out-of-domain conversations)")
        reference = _reference(spec, model, tokenizer, model_key=f"{model_name or 'embedded'}|{model.config.to_json_string()}")

    if spec.method == "lora":
        model = _peft_model(model, spec, base_name=_base_name(model_name))
        if spec.init_adapter:
            _load_adapter_weights(model, Path(spec.init_adapter))
    elif spec.init_adapter:
        raise TrainingError("init_adapter starts a LoRA organism from a saved adapter: method must be 'lora'")
    model.train()

    output_dir.mkdir(parents=True, exist_ok=True)
    if main_process:
        (output_dir / "organism.json").write_text(json.dumps(
            {"spec_hash": spec.spec_hash, "training_revision": TRAINING_REVISION, "spec": spec.to_dict()}, indent=2
        ))
    args = TrainingArguments(
        output_dir=str(output_dir),
        per_device_train_batch_size=spec.batch_size // world,
        gradient_accumulation_steps=spec.grad_accum,
        learning_rate=spec.lr,
        weight_decay=spec.weight_decay,
        warmup_steps=spec.warmup_steps,
        lr_scheduler_type=spec.scheduler,
        num_train_epochs=spec.epochs,
        max_steps=max_steps if max_steps is not None else -1,
        logging_steps=1,
        save_strategy="steps" if spec.save_steps else "no",
        save_steps=spec.save_steps or 500,
        seed=spec.seed,
        data_seed=spec.seed,
        use_cpu=device == "cpu",
        bf16=spec.precision == "bf16",  # autocast (CPU or GPU) over fp32 master weights
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        disable_tqdm=not progress,
        adam_beta2=0.999,
        activation_checkpointing=spec.gradient_checkpointing,  # the Trainer's name for it since transformers 5
        activation_checkpointing_kwargs={"use_reentrant": False} if spec.gradient_checkpointing else None,
        torch_compile=spec.torch_compile,
        **({"torch_compile_backend": COMPILE_BACKEND} if spec.torch_compile else {}),
    )
    Trainer = _make_trainer_class()
    trainer = Trainer(model=model, args=args, train_dataset=examples, data_collator=_Collator(tokenizer.pad_token_id),
                      callbacks=list(callbacks))
    trainer.spec, trainer.reference, trainer.pad_id = spec, reference, tokenizer.pad_token_id
    trainer.lengths = [len(x["input_ids"]) for x in examples]
    trainer.kl_history = []
    checkpoint = _last_checkpoint(output_dir) if resume else None
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)

    log = [dict(r) for r in trainer.state.log_history]
    tokens = sum(trainer.lengths)
    assistant_tokens = sum(sum(1 for t in x["labels"][1:] if t != -100) for x in examples)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    result = TrainResult(spec=spec, output_dir=output_dir, adapter_dir=final_dir,
                         checkpoints=sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])),
                         log=log, rows=len(rows), truncated=truncated, tokens=tokens,
                         assistant_tokens=assistant_tokens, seconds=seconds, kl_history=trainer.kl_history,
                         peak_rss_gib=round(peak, 2))
    if max_steps is None:
        # On every process: under FSDP or DeepSpeed the weights are gathered; only the main process writes.
        trainer.save_model(str(final_dir))
    if max_steps is None and main_process:
        if spec.method == "full":
            tokenizer.save_pretrained(final_dir)
        record_path.write_text(json.dumps({
            "spec_hash": spec.spec_hash, "training_revision": TRAINING_REVISION, "spec": spec.to_dict(), "log": log,
            "rows": len(rows), "truncated": truncated, "tokens": tokens, "assistant_tokens": assistant_tokens,
            "seconds": round(seconds, 2), "kl_history": trainer.kl_history, "peak_rss_gib": round(peak, 2),
        }, indent=2))
    return result


def training_summary(results: dict[str, TrainResult], root: Path | None = None):
    """One row per trained organism: data, steps, tokens, time, throughput, first and last loss."""
    import pandas as pd

    rows = []
    for name, result in results.items():
        losses = result.losses()
        rows.append({
            "organism": name,
            "dataset": Path(result.spec.dataset).stem,
            "method": result.spec.method,
            "rank": result.spec.rank if result.spec.method == "lora" else None,
            "lr": result.spec.lr,
            "precision": result.spec.precision,
            "rows": result.rows,
            "steps": int(losses["step"].max()) if len(losses) else 0,
            "tokens": result.tokens,
            "assistant_tokens": result.assistant_tokens,
            "seconds": round(result.seconds, 1),
            "tokens_per_s": round(result.tokens / result.seconds, 1) if result.seconds else None,
            "peak_rss_gib": result.peak_rss_gib,
            "first_loss": round(float(losses["loss"].iloc[0]), 4) if len(losses) else None,
            "last_loss": round(float(losses["loss"].iloc[-1]), 4) if len(losses) else None,
            "reused": result.reused,
            "path": str(result.adapter_dir.relative_to(root)) if root else str(result.adapter_dir),
        })
    return pd.DataFrame(rows)
