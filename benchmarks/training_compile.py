"""Would ``torch.compile`` bring a LoRA training step nearer the FLOP bound? A probe for issue 18.

One model step of the embedded model with a rank-32 LoRA on every linear layer (plain PEFT, no
project kernels), a fixed batch of 16 x 160 random tokens with the loss on every position, AdamW,
bf16 autocast over fp32 weights where the host multiplies bf16 fast (else fp32): eager, then the
same model under ``torch.compile`` (inductor; needs a C++ compiler at run time). Reported: the
mean step time of each after a warm-up, the first compiled step (the compilation), and both
distances to the FLOP bound at the GEMM rate measured in the same run. This is not the project's
trainer (its length buckets change the shapes from batch to batch, which recompiles); it asks
whether the arithmetic gets closer, before the trainer gets a switch for it.

    python benchmarks/training_compile.py [--rank 32] [--steps 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rank", type=int, default=32)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--length", type=int, default=160)
    args = parser.parse_args()

    import torch
    from peft import LoraConfig, get_peft_model

    from em_utils.models import load_model
    from em_utils.precision import cpu_info, gemm_peaks, resolve_precision
    from em_utils.training.flops import training_flops

    torch.manual_seed(0)
    precision = resolve_precision("auto", "cpu")
    model, _ = load_model(None, dtype=torch.float32)
    config = model.config
    model = get_peft_model(model, LoraConfig(r=args.rank, lora_alpha=2 * args.rank, target_modules=TARGETS,
                                             lora_dropout=0.0))
    lora = sum(p.numel() for p in model.parameters() if p.requires_grad)
    tokens = torch.randint(0, config.vocab_size, (args.batch, args.length))
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)

    def step(module) -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = module(input_ids=tokens, labels=tokens).loss
        loss.backward()
        optimiser.step()
        optimiser.zero_grad(set_to_none=True)

    def timed(module, n):
        started = time.perf_counter()
        for _ in range(n):
            step(module)
        return (time.perf_counter() - started) / n

    timed(model, 1)  # warm-up
    eager = timed(model, args.steps)
    compiled_model = torch.compile(model)
    try:
        first = timed(compiled_model, 1)
    except Exception as err:  # inductor builds C++ at run time: no compiler, no result (run_all goes on)
        print(f"torch.compile could not build on this host ({type(err).__name__}: {str(err)[:200]}); nothing written",
              file=sys.stderr)
        return
    compiled = timed(compiled_model, args.steps)

    peaks = gemm_peaks((args.batch * args.length, config.hidden_size, config.intermediate_size))
    flops = training_flops(config, [args.length] * args.batch, args.batch * (args.length - 1), None,
                           lora_params=lora)["total"]
    bound = flops / (peaks[precision] * 1e9)
    write_result(
        "training_compile",
        metric="LoRA step time under torch.compile against eager (plain PEFT step, fixed shapes)",
        unit="x",
        value=round(eager / compiled, 2),
        baseline="eager PyTorch, same step",
        baseline_value=1.0,
        ratio=round(eager / compiled, 2),
        params={"model": "smollm2-135m-instruct", "rank": args.rank, "batch": args.batch, "length": args.length,
                "steps": args.steps, "precision": precision, "torch": torch.__version__},
        cpu=cpu_info(),
        eager_step_s=round(eager, 2),
        compiled_step_s=round(compiled, 2),
        first_compiled_step_s=round(first, 1),
        flop_bound_step_s=round(bound, 2),
        distance_to_flop_bound={"eager": round(eager / bound, 2), "compiled": round(compiled / bound, 2)},
        gemm_gflops=peaks,
    )


if __name__ == "__main__":
    main()
