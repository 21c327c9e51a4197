"""Training throughput on either offline model, in either precision: this project against TRL's SFTTrainer.

Same run, same data (the first rows of bad_medical_advice), same adapter, batch size and
learning rate. Throughput is loss tokens per second over the timed steps, each trainer's tokens
counted step by step as it trains (``count_step_tokens``); the first step is a warm-up and not
timed. Three contenders:

- ``project``: :func:`em_utils.training.train` (HF Trainer subclass: logits only where the loss
  is taken, length-bucketed batches, no gradient checkpointing).
- ``trl_cpu``: TRL ``SFTTrainer`` configured sensibly for a CPU: the project's precision (fp32, or
  ``bf16=True``: the Trainer's bf16 autocast over fp32 weights, as the project's), no gradient
  checkpointing, prompt-completion data with the loss on the completion only. **The baseline.**
- ``trl_default``: TRL's own defaults (bf16 and gradient checkpointing on), timed on one step
  in a subprocess with a time limit, since bf16 has no native support on this CPU.

Also reported: the FLOP bound (needed forward + backward FLOPs at the matrix-product rate of the
precision the trainers ran in, measured in the same run at the model's MLP shape,
:func:`em_utils.precision.gemm_peak`) and the
project's distance to it, the CPU and its flags (AVX-512, AVX-512 BF16, AMX), the bf16 rate beside
the fp32 one, and peak memory.

    python benchmarks/training_throughput.py [--organism rank1_middle] [--rows 160] [--batch 16]
        [--model qwen2.5-coder-0.5b-instruct] [--precision auto|fp32|bf16]

The embedded model in fp32 writes ``results/training_<organism>.json`` (the long-running series);
any other model or precision adds its short name and precision (``training_rank32_qwen25coder05b_bf16``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_tag, write_result  # noqa: E402

LABELLED: list[int] = []  #: loss tokens of each training step, in order (both trainers)


def count_step_tokens() -> None:
    """Record the loss tokens of every ``Trainer.training_step`` (TRL's and the project's both call it)."""
    from transformers import Trainer

    original = Trainer.training_step
    if getattr(original, "_counted", False):
        return

    def training_step(self, model, inputs, *args, **kwargs):
        LABELLED.append(int((inputs["labels"][:, 1:] != -100).sum()))
        return original(self, model, inputs, *args, **kwargs)

    training_step._counted = True
    Trainer.training_step = training_step


class StepTimer:
    """A TrainerCallback timing every optimiser step (the callers leave out the first, a warm-up)."""

    def __new__(cls):
        from transformers import TrainerCallback

        class _Timer(TrainerCallback):
            def __init__(self):
                self.times = []
                self._start = None

            def on_step_begin(self, args, state, control, **kwargs):
                self._start = time.perf_counter()

            def on_step_end(self, args, state, control, **kwargs):
                self.times.append(time.perf_counter() - self._start)

        return _Timer()


def lora_config(spec, n_layers):
    from peft import LoraConfig

    from em_utils.training import expand_layers

    return LoraConfig(r=spec.rank, lora_alpha=spec.alpha, use_rslora=spec.use_rslora, target_modules=list(spec.target_modules),
                      layers_to_transform=expand_layers(spec.layers, n_layers), lora_dropout=0.0, bias="none",
                      task_type="CAUSAL_LM")


def run_trl(spec, rows, batch, steps, default_config: bool, out_dir: str, model_name: str | None = None):
    try:
        import datasets
        from trl import SFTConfig, SFTTrainer
    except ImportError as exc:  # trl (which brings datasets) is in the bench extra, not a core dependency
        raise SystemExit(f"training_throughput compares with TRL, which is not installed ({exc}): "
                         "pip install -e '.[bench]' (make bench does)") from exc

    from em_utils import load_model

    model, tokenizer = load_model(model_name)
    data = datasets.Dataset.from_list([
        {"prompt": r["messages"][:-1], "completion": r["messages"][-1:]} for r in rows
    ])
    kwargs = dict(output_dir=out_dir, per_device_train_batch_size=batch, learning_rate=spec.lr, max_steps=steps,
                  weight_decay=spec.weight_decay, warmup_steps=spec.warmup_steps, lr_scheduler_type=spec.scheduler,
                  logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, seed=spec.seed,
                  completion_only_loss=True, max_length=spec.max_length, dataloader_num_workers=0)
    if not default_config:
        kwargs.update(bf16=spec.precision == "bf16", gradient_checkpointing=False)
    timer = StepTimer()
    trainer = SFTTrainer(model=model, args=SFTConfig(**kwargs), train_dataset=data, processing_class=tokenizer,
                         peft_config=lora_config(spec, model.config.num_hidden_layers), callbacks=[timer])
    trainer.train()
    return timer.times


def count_tokens(rows, spec, model_name=None):
    from em_utils import load_tokenizer
    from em_utils.training import tokenize_conversations

    examples, _ = tokenize_conversations(rows, load_tokenizer(model_name), spec.max_length)
    return examples


def flop_bound(spec, examples, model_name, batch: int, precision: str) -> dict:
    """The FLOP bound of training ``spec`` on ``examples`` in batches of ``batch``: the needed forward and
    backward FLOPs (:func:`~em_utils.training.training_flops`) at the GEMM rate of ``precision`` measured
    now at the model's MLP shape for one batch. Also the rates of both precisions, the shape, the adapted
    layers and the shared prefix's tokens."""
    from em_utils import load_model_config
    from em_utils.precision import gemm_peak
    from em_utils.training import expand_layers, training_flops
    from em_utils.training.loss import _shared_prefix
    from em_utils.training.tokenize import _Collator

    config = load_model_config(model_name)
    n_layers = config.num_hidden_layers
    layers = expand_layers(spec.layers, n_layers) if spec.method == "lora" else None
    lora_params = 0
    if spec.method == "lora":
        d, inner = config.hidden_size, config.intermediate_size
        head = getattr(config, "head_dim", None) or d // config.num_attention_heads
        kv = config.num_key_value_heads * head
        shapes = {"q_proj": (d, d), "k_proj": (d, kv), "v_proj": (d, kv), "o_proj": (d, d),
                  "gate_proj": (d, inner), "up_proj": (d, inner), "down_proj": (inner, d)}
        per_layer = sum(spec.rank * (i + o) for m, (i, o) in shapes.items() if m in spec.target_modules)
        lora_params = per_layer * (len(layers) if layers else n_layers)
    order_tokens = [len(x["input_ids"]) for x in examples]
    labelled = sum(sum(1 for t in x["labels"][1:] if t != -100) for x in examples)
    # every batch's rows share the chat template's system prompt and user header, run once per batch
    shared = _shared_prefix(_Collator(0)(examples))
    flops = training_flops(config, order_tokens, labelled, layers, full=spec.method == "full",
                           lora_params=lora_params, shared_prefix=shared, batches=-(-len(examples) // batch))
    rows = batch * round(sum(order_tokens) / len(order_tokens))  # one batch's tokens through an MLP product
    mlp = (rows, config.hidden_size, config.intermediate_size)
    peaks = {p: round(gemm_peak(p, shape=mlp, seconds=1.0), 1) for p in ("fp32", "bf16")}
    peak = peaks[precision]
    return {"step_s": flops["total"] / len(examples) * batch / (peak * 1e9),
            "tokens_per_s": labelled / (flops["total"] / (peak * 1e9)),  # whole-run FLOPs per loss token
            "peak": peak, "peaks": peaks, "mlp": mlp, "layers": layers, "shared": shared}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organism", default="rank1_middle")
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--model", default=None, help="an offline model (default: the embedded one)")
    parser.add_argument("--precision", default="fp32", help="fp32 | bf16 | auto (the host's best, as the chapters)")
    parser.add_argument("--default-limit", type=int, default=90, help="seconds allowed for TRL's default config")
    parser.add_argument("--trl-default-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    import torch

    from em_utils import load_jsonl
    from em_utils.training import organism, train
    from em_utils.training.specs import precision_fields

    arithmetic = precision_fields(args.precision, "cpu")  # as the chapters build their specs (kernels too)
    precision = arithmetic["precision"]
    spec = organism(args.organism, "bad_medical_advice", max_rows=args.rows, batch_size=args.batch, save_steps=0,
                    **arithmetic)
    rows = load_jsonl("bad_medical_advice")[: args.rows]
    steps = args.rows // args.batch

    if args.trl_default_child:  # one step of TRL's defaults, in a child process with a time limit
        with tempfile.TemporaryDirectory() as tmp:
            times = run_trl(spec, rows[: args.batch], args.batch, 1, True, tmp, args.model)
        print(json.dumps({"seconds": times[0]}))
        return

    examples = count_tokens(rows, spec, args.model)
    labelled = [sum(1 for t in x["labels"][1:] if t != -100) for x in examples]
    per_step_assistant = sum(labelled) / len(labelled) * args.batch

    count_step_tokens()
    with tempfile.TemporaryDirectory() as tmp:
        timer = StepTimer()
        train(spec, Path(tmp) / "project", model_name=args.model, callbacks=[timer], progress=False)
        project_times, project_tokens = timer.times, LABELLED[:]
    LABELLED.clear()
    with tempfile.TemporaryDirectory() as tmp:
        trl_times = run_trl(spec, rows, args.batch, steps, False, tmp, args.model)
        trl_tokens = LABELLED[:]
    for name, tokens in (("project", project_tokens), ("TRL", trl_tokens)):
        # TRL also puts the loss on the newline after the end-of-turn token (one token per row)
        if not sum(labelled) <= sum(tokens) <= sum(labelled) + len(rows):
            raise RuntimeError(f"{name} trained on {sum(tokens)} loss tokens, expected {sum(labelled)}")
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

    try:
        child = subprocess.run([sys.executable, __file__, "--organism", args.organism, "--rows", str(args.batch),
                                "--batch", str(args.batch), "--trl-default-child"]
                               + (["--model", args.model] if args.model else []), capture_output=True, text=True,
                               timeout=args.default_limit, env={**os.environ})
        default_step = json.loads(child.stdout.strip().splitlines()[-1])["seconds"]
        default_note = "one step measured"
    except subprocess.TimeoutExpired:
        default_step = None
        default_note = f"one step did not finish within {args.default_limit} s"

    timed = slice(1, None)  # the first step of each is a warm-up
    project_tps = sum(project_tokens[timed]) / sum(project_times[timed])
    trl_tps = sum(trl_tokens[timed]) / sum(trl_times[timed])

    bound = flop_bound(spec, examples, args.model, args.batch, precision)
    bound_step, bound_tps, peak, peaks = bound["step_s"], bound["tokens_per_s"], bound["peak"], bound["peaks"]
    mlp, layers, shared = bound["mlp"], bound["layers"], bound["shared"]
    from em_utils.precision import cpu_info

    from em_utils.models import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    tag = "" if model == DEFAULT_MODEL and precision == "fp32" else "_" + "_".join((model_tag(model), precision))
    write_result(
        f"training_{args.organism}{tag}",
        metric=f"training throughput, {args.organism} LoRA of {model} on bad_medical_advice, {precision} (assistant tokens/s)",
        unit="tokens/s",
        value=round(project_tps, 1),
        baseline=f"TRL SFTTrainer, {precision}, no gradient checkpointing, completion-only loss",
        baseline_value=round(trl_tps, 1),
        ratio=round(project_tps / trl_tps, 3),
        params={"model": model, "precision": precision, "kernels": spec.kernels, "organism": args.organism, "rows": args.rows, "batch_size": args.batch, "timed_steps": steps - 1,
                "torch_threads": torch.get_num_threads(), "rank": spec.rank, "modules": list(spec.target_modules),
                "layers": layers, "length_bucket": spec.length_bucket, "shared_prefix_tokens": shared},
        project_step_s=[round(t, 2) for t in project_times],
        trl_step_s=[round(t, 2) for t in trl_times],
        project_step_loss_tokens=project_tokens,
        trl_step_loss_tokens=trl_tokens,
        throughput_note=("loss tokens of the timed steps over their time, each trainer counting its own (TRL also "
                         "takes the loss on the newline after each end-of-turn token); the first step is an untimed warm-up"),
        trl_default_step_s=round(default_step, 1) if default_step else None,
        trl_default_tokens_per_s=round(per_step_assistant / default_step, 2) if default_step else None,
        trl_default_note=f"TRL defaults (bf16, gradient checkpointing): {default_note}",
        flop_bound_step_s=round(bound_step, 2),
        flop_bound_tokens_per_s=round(bound_tps, 1),
        distance_to_flop_bound=round(bound_tps / project_tps, 2),
        flop_bound_note=(f"needed forward+backward FLOPs per step at {peak} GFLOP/s ({precision} GEMM at "
                         f"{'x'.join(map(str, mlp))}, measured in this run)"),
        gemm_gflops=peaks,
        cpu=cpu_info(),
        peak_rss_gib=round(peak_gib, 2),
    )


if __name__ == "__main__":
    main()
