"""Where a steady training step's time goes, against its FLOP bound (issue 18: why the step is not within 1.5x).

The project's trainer (:func:`em_utils.training.train`, the host's precision and kernels from
:func:`~em_utils.training.specs.precision_fields`) on the first rows of bad_medical_advice; every
optimiser step timed (a Trainer callback), and the run's last ``--profile-steps`` steps recorded by
``torch.profiler``. Reported, per steady step:

- the step's wall time (median of the steady steps before the profiled ones) and the FLOP bound: the needed forward
  and backward FLOPs at the GEMM rate of the precision the step ran in, measured in the same run at
  the model's MLP shape (``training_throughput.flop_bound``);
- the profiled operators' own time in groups (matrix products, casts and copies, attention,
  elementwise and reductions, the optimiser, the rest), and the matrix products' time against the
  FLOPs the bound counts, so their achieved rate stands beside the measured peak: what the step would
  take if only its matrix products ran, at the rate they actually reach (the profiler's own FLOP count,
  ``with_flops``, records every operator's shapes and slowed the profiled steps several-fold, so the
  FLOPs are the bound's);
- the matrix-product calls per step and their mean size (many small LoRA products are slow per FLOP).

    python benchmarks/training_step_profile.py [--organism rank32] [--rows 160] [--model NAME] [--profile-steps 2]
        [--kernels cpu_bf16_head]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_tag, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WARMUP_STEPS = 2

#: Operator groups of a training step (aten names; an operator in none of them counts as "other").
GROUPS = {
    "matrix products": ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm"),
    "casts and copies": ("aten::copy_", "aten::_to_copy", "aten::to", "aten::clone", "aten::contiguous"),
    "attention": ("aten::_scaled_dot_product_flash_attention_for_cpu",
                  "aten::_scaled_dot_product_flash_attention_for_cpu_backward"),
    "elementwise and reductions": ("aten::mul", "aten::mul_", "aten::add", "aten::add_", "aten::sub", "aten::div",
                                   "aten::neg", "aten::pow", "aten::rsqrt", "aten::mean", "aten::sum", "aten::silu",
                                   "aten::silu_backward", "aten::exp", "aten::exp_", "aten::cat", "aten::amax",
                                   "aten::logsumexp", "aten::gather", "aten::where", "aten::fill_", "aten::zero_",
                                   "aten::index", "aten::index_put_", "aten::embedding_dense_backward"),
    "optimiser": ("aten::_fused_adamw_", "aten::_foreach_add_", "aten::_foreach_mul_", "aten::_foreach_norm",
                  "aten::_foreach_div_", "aten::clamp"),
}


def group_of(name: str) -> str:
    return next((group for group, names in GROUPS.items() if name in names), "other")


def profile_steps(organism_kind: str, rows: int, model: str | None, steps: int, kernels: str | None = None) -> dict:
    """Train, time every step and profile ``steps`` steady ones; their operators summed per group."""
    import torch
    from transformers import TrainerCallback

    from em_utils.training import organism, train
    from em_utils.training.specs import precision_fields
    from training_throughput import StepTimer

    class Profiler(TrainerCallback):
        """Profiles the run's last ``steps`` steps (the steady steps before them are timed undisturbed)."""

        def __init__(self):
            self.profiler, self.steps, self.events = None, [], None

        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step >= state.max_steps - steps and self.profiler is None and self.events is None:
                self.profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU])
                self.profiler.__enter__()

        def on_step_end(self, args, state, control, **kwargs):
            if self.profiler is None:
                return
            self.steps.append(state.global_step)  # the finished step's number (1-based) by now
            if state.global_step >= state.max_steps:
                self.profiler.__exit__(None, None, None)
                self.events, self.profiler = self.profiler.key_averages(), None

    clock, profiler = StepTimer(), Profiler()
    arithmetic = {**precision_fields("auto", "cpu"), **({"kernels": kernels} if kernels else {})}
    spec = organism(organism_kind, str(ROOT / "data" / "bad_medical_advice.jsonl"), max_rows=rows, **arithmetic)
    if rows // spec.batch_size < WARMUP_STEPS + steps + 2:
        raise SystemExit(f"{rows} rows make {rows // spec.batch_size} steps: too few for {WARMUP_STEPS} warm-up, "
                         f"{steps} profiled and 2 more steady steps")
    with tempfile.TemporaryDirectory() as folder:
        train(spec, Path(folder) / "run", model_name=model, progress=False, callbacks=[clock, profiler])
    groups: dict[str, float] = {}
    mm_calls = 0
    for event in profiler.events:
        group = group_of(event.key)
        groups[group] = groups.get(group, 0.0) + event.self_cpu_time_total / 1e6
        mm_calls += event.count if group == "matrix products" else 0
    profiled = [clock.times[s - 1] for s in profiler.steps]
    steady = [t for i, t in enumerate(clock.times, start=1) if i > WARMUP_STEPS and i not in profiler.steps]
    return {"spec": spec, "step_s": statistics.median(steady), "profiled_step_s": statistics.median(profiled),
            "steps_s": [round(t, 2) for t in clock.times], "profiled_steps": profiler.steps,
            "groups_s": {k: v / steps for k, v in sorted(groups.items(), key=lambda kv: -kv[1])},
            "mm_calls": mm_calls / steps, "mm_s": groups.get("matrix products", 0.0) / steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organism", default="rank32")
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--model", default=None)
    parser.add_argument("--profile-steps", type=int, default=2)
    parser.add_argument("--kernels", default=None,
                        help="the spec's kernels instead of the host's (e.g. cpu_bf16_head); its name joins the result's")
    args = parser.parse_args()

    import torch

    from em_utils import load_jsonl
    from em_utils.models import DEFAULT_MODEL
    from em_utils.precision import cpu_info
    from training_throughput import count_tokens, flop_bound

    measured = profile_steps(args.organism, args.rows, args.model, args.profile_steps, args.kernels)
    spec = measured["spec"]
    bound = flop_bound(spec, count_tokens(load_jsonl("bad_medical_advice")[: args.rows], spec, args.model), args.model,
                       spec.batch_size, spec.precision)
    step = measured["step_s"]
    needed_gflop = bound["step_s"] * bound["peak"]  # per step, what the bound counts (nearly all matrix products)
    name = args.model or DEFAULT_MODEL
    write_result(
        f"training_step_profile_{args.organism}_" + model_tag(name) + (f"_{args.kernels}" if args.kernels else ""),
        metric="steady training step of the project's trainer over its FLOP bound (where the distance goes)",
        unit="x the FLOP bound",
        value=round(step / bound["step_s"], 2),
        baseline="the FLOP bound: needed FLOPs at the GEMM peak measured in this run",
        baseline_value=round(bound["step_s"], 3),
        ratio=round(bound["step_s"] / step, 3),
        params={"model": name, "organism": args.organism, "rows": args.rows, "batch": spec.batch_size,
                "precision": spec.precision, "kernels": spec.kernels, "profiled_steps": measured["profiled_steps"],
                "torch": torch.__version__, "torch_threads": torch.get_num_threads()},
        cpu=cpu_info(),
        step_s=round(step, 3),
        steps_s=measured["steps_s"],
        profiled_step_s=round(measured["profiled_step_s"], 3),
        flop_bound_step_s=round(bound["step_s"], 3),
        gemm_gflops=bound["peaks"],
        gemm_peak_shape=list(bound["mlp"]),
        operator_s_per_step={k: round(v, 3) for k, v in measured["groups_s"].items()},
        operator_share={k: round(v / sum(measured["groups_s"].values()), 3) for k, v in measured["groups_s"].items()},
        matrix_products={"calls_per_step": round(measured["mm_calls"]), "s_per_step": round(measured["mm_s"], 3),
                         "needed_gflop_per_step": round(needed_gflop, 1),
                         "achieved_gflops": round(needed_gflop / measured["mm_s"], 1),
                         "mean_mflop_per_call": round(needed_gflop * 1e3 / max(measured["mm_calls"], 1), 2),
                         "over_flop_bound": round(measured["mm_s"] / bound["step_s"], 2)},
        how_measured=(f"step_s: median wall time of the steady steps before the profiled ones (after {WARMUP_STEPS} "
                      "warm-up steps); operators: torch.profiler self CPU time per step over the run's last steps, "
                      "grouped by aten name (profiling adds a little per operator: compare profiled_step_s with step_s); "
                      "the matrix products' achieved rate: the FLOPs the bound counts per step (attention's products "
                      "included) over the aten::mm/addmm/bmm time, an upper estimate of their rate; FLOP bound as "
                      "training_throughput's"),
    )


if __name__ == "__main__":
    main()
