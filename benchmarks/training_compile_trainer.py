"""The project's own trainer with ``torch_compile`` on (issue 18): does ``torch.compile`` pay, and after how many steps?

Three runs of :func:`em_utils.training.train` on the same organism and rows (the first rows of
bad_medical_advice, the host's precision and kernels from :func:`~em_utils.training.precision_fields`),
each in its own process: eager (``torch_compile`` off, the baseline), compiled with an empty inductor
cache (what a first run on a machine pays), and compiled again with that cache warm (what a later
organism of the same model pays). Every optimiser step is timed (a Trainer callback). Reported:
the steady step of each (the median after the first two steps, whose batch lengths trigger the
compilations), the time of the first steps, the whole run, the steps after which the compiled run
catches up with the eager one, the first losses of both (the same up to rounding), and each steady
step's distance to the FLOP bound at the GEMM rate measured in the same run
(``training_throughput.flop_bound``).

    python benchmarks/training_compile_trainer.py [--organism rank32] [--rows 160] [--model NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import model_tag, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def worker(organism_kind: str, rows: int, model: str | None, compile_on: bool, out: Path) -> None:
    """One training run; its step times, losses and wall time go to ``out`` as JSON."""
    from em_utils.training import organism, train
    from em_utils.training.specs import precision_fields
    from training_throughput import StepTimer

    clock = StepTimer()
    spec = organism(organism_kind, str(ROOT / "data" / "bad_medical_advice.jsonl"), max_rows=rows, torch_compile=compile_on,
                    **precision_fields("auto", "cpu"))
    with tempfile.TemporaryDirectory() as folder:
        result = train(spec, Path(folder) / "run", model_name=model, progress=False, callbacks=[clock])
    out.write_text(json.dumps({"steps": clock.times, "losses": result.losses()["loss"].tolist(),
                               "seconds": result.seconds, "precision": spec.precision, "kernels": spec.kernels}))


def run(args, compile_on: bool, cache: Path) -> dict:
    """:func:`worker` in a process of its own (``cache``: the inductor cache folder it uses)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**os.environ, "TORCHINDUCTOR_CACHE_DIR": str(cache)}
        command = [sys.executable, __file__, "--worker", "--organism", args.organism, "--rows", str(args.rows),
                   "--out", out.name] + (["--compile"] if compile_on else []) + (["--model", args.model] if args.model else [])
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        return json.loads(Path(out.name).read_text())


def steady(steps: list[float]) -> float:
    return statistics.median(steps[2:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organism", default="rank32")
    parser.add_argument("--rows", type=int, default=160)
    parser.add_argument("--model", default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.organism, args.rows, args.model, args.compile, args.out)
        return

    import torch

    from em_utils.models import DEFAULT_MODEL
    from em_utils.precision import cpu_info

    with tempfile.TemporaryDirectory() as cache:
        eager = run(args, False, Path(cache))
        try:
            cold = run(args, True, Path(cache))
        except subprocess.CalledProcessError as err:  # inductor builds C++ at run time: no compiler, no result
            print(f"the compiled run failed on this host ({err}); nothing written", file=sys.stderr)
            return
        warm = run(args, True, Path(cache))
    from em_utils import load_jsonl
    from em_utils.training import organism
    from em_utils.training.specs import precision_fields
    from training_throughput import count_tokens, flop_bound

    spec = organism(args.organism, "bad_medical_advice", max_rows=args.rows, **precision_fields("auto", "cpu"))
    bound = flop_bound(spec, count_tokens(load_jsonl("bad_medical_advice")[: args.rows], spec, args.model), args.model,
                       spec.batch_size, spec.precision)
    step_eager, step_compiled = steady(eager["steps"]), steady(warm["steps"])
    saved = step_eager - step_compiled
    overhead = {name: sum(r["steps"][:2]) - 2 * step_compiled for name, r in (("cold", cold), ("warm", warm))}
    name = args.model or DEFAULT_MODEL
    write_result(
        f"training_compile_trainer_{args.organism}_" + model_tag(name),
        metric="steady training step of the project's trainer with torch_compile on, against it off",
        unit="x",
        value=round(step_eager / step_compiled, 2),
        baseline="the same trainer, eager",
        baseline_value=1.0,
        ratio=round(step_eager / step_compiled, 2),
        params={"model": name, "organism": args.organism, "rows": args.rows, "precision": eager["precision"],
                "kernels": eager["kernels"], "torch": torch.__version__, "torch_threads": torch.get_num_threads()},
        cpu=cpu_info(),
        step_s={"eager": [round(x, 2) for x in eager["steps"]], "compiled_cold_cache": [round(x, 2) for x in cold["steps"]],
                "compiled_warm_cache": [round(x, 2) for x in warm["steps"]]},
        steady_step_s={"eager": round(step_eager, 2), "compiled": round(step_compiled, 2)},
        run_s={"eager": round(eager["seconds"], 1), "compiled_cold_cache": round(cold["seconds"], 1),
               "compiled_warm_cache": round(warm["seconds"], 1)},
        compile_overhead_s={k: round(v, 1) for k, v in overhead.items()},
        break_even_steps={k: (round(v / saved) if saved > 0 else None) for k, v in overhead.items()},
        first_losses={"eager": eager["losses"][:3], "compiled": warm["losses"][:3]},
        flop_bound_step_s=round(bound["step_s"], 2),
        distance_to_flop_bound={"eager": round(step_eager / bound["step_s"], 2),
                                "compiled": round(step_compiled / bound["step_s"], 2)},
        flop_bound_note=(f"needed forward+backward FLOPs per step at {bound['peak']} GFLOP/s ({spec.precision} GEMM at "
                         f"{'x'.join(map(str, bound['mlp']))}, measured in this run), against each steady step"),
        gemm_gflops=bound["peaks"],
        how_measured="steady step: the median after the first two steps (each of which compiles: the first batch length, "
             "then the next one, after which the shapes are dynamic); break-even: the compilation's extra time "
             "over the time a steady compiled step saves",
    )


if __name__ == "__main__":
    main()
