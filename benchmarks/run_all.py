"""Run every benchmark (or those named) and refresh the table in README.md.

    python benchmarks/run_all.py                # all
    python benchmarks/run_all.py model_load     # one
    python benchmarks/run_all.py --table-only   # just rewrite the README table from results/
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
#: name -> the runs it takes (arguments of each run of ``<name>.py``)
BENCHMARKS: dict[str, list[list[str]]] = {
    "model_load": [[]],
    "offline_judge": [[]],
    # fp32 on both offline models (the long-running series), then each in the host's best precision
    "sampling": [[], ["--model", "qwen2.5-coder-0.5b-instruct"],
                 ["--precision", "auto"], ["--model", "qwen2.5-coder-0.5b-instruct", "--precision", "auto"]],
    "steered_sampling": [[]],
    "steered_nnsight": [[]],
    # fp32 on the embedded model (the long-running series), then each offline model in the host's best precision
    "training_throughput": [["--organism", "rank1_middle"], ["--organism", "rank32"]] + [
        ["--organism", kind, "--precision", "auto", *model] for model in ([], ["--model", "qwen2.5-coder-0.5b-instruct"])
        for kind in ("rank1_middle", "rank32")],
    # where a steady step's time goes against its FLOP bound (torch.profiler), each offline model, host precision
    "training_step_profile": [[], ["--organism", "rank1_middle", "--model", "qwen2.5-coder-0.5b-instruct"],
                              ["--organism", "rank1_middle", "--model", "qwen2.5-coder-0.5b-instruct",
                               "--kernels", "cpu_bf16_head"]],  # the opt-in bf16 output layer
    "precision_equivalence": [[]],  # refuses (and is skipped) where bf16 is emulated
    "training_compile": [[]],  # refuses (and is skipped) where torch.compile cannot build (no C++ compiler)
    # the trainer's torch_compile switch (each model's run takes minutes of compiling); nothing written where it fails
    "training_compile_trainer": [[], ["--organism", "rank1_middle", "--model", "qwen2.5-coder-0.5b-instruct"]],
    "setup_time": [[]],
    "book_jobs": [[]],  # the smoke book from scratch four times (1, 2, 2, 1 jobs): about 20 minutes on 2 cores
    "judge_agreement": [[]],
    "judge_retries": [[]],
    "judge_vs_hand_labels": [[]],
}
# Not in the default run (hours on 2 cores): dose_response.py, recorded under results/dose_response/.


def precision(result: dict) -> str:
    """The arithmetic a result ran in: its ``params.precision``, else what its metric names, else ``-``."""
    named = (result.get("params") or {}).get("precision")
    if named:
        return str(named)
    found = re.findall(r"\b(fp32|bf16)\b", f"{result.get('metric', '')} {result.get('baseline') or ''}")
    return found[0] if found else "-"


def table() -> str:
    rows = ["| benchmark | metric | project | baseline | ratio | precision | machine | date |",
            "|---|---|---|---|---|---|---|---|"]
    for path in sorted((HERE / "results").glob("*.json")):  # the dose-response keeps its own folder
        r = json.loads(path.read_text())
        base = f"{r['baseline_value']} {r['unit']} ({r['baseline']})" if r.get("baseline") else "-"
        ratio = f"{r['ratio']}x" if r.get("ratio") is not None else "-"
        rows.append(f"| `{r['name']}` | {r['metric']} | {r['value']} {r['unit']} | {base} | {ratio} | {precision(r)} | "
                    f"{r['machine']} | {r['date']} |")
    return "\n".join(rows)


def refresh_readme() -> None:
    text = README.read_text()
    new = re.sub(r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)", lambda m: m.group(1) + table() + m.group(2),
                 text, flags=re.S)
    README.write_text(new)


def main(argv: list[str]) -> None:
    if "--table-only" not in argv:
        for name in [a for a in argv if not a.startswith("-")] or BENCHMARKS:
            if name not in BENCHMARKS:
                raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            for extra in BENCHMARKS[name]:
                subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=True)
    refresh_readme()


if __name__ == "__main__":
    main(sys.argv[1:])
