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
    "sampling": [[]],
    "steered_sampling": [[]],
    "steered_nnsight": [[]],
    "training_throughput": [["--organism", "rank1_middle"], ["--organism", "rank32"]],
    "setup_time": [[]],
    "judge_agreement": [[]],
    "judge_retries": [[]],
    "judge_vs_hand_labels": [[]],
}
# Not in the default run (hours on 2 cores): dose_response.py, recorded under results/dose_response/.


def table() -> str:
    rows = ["| benchmark | metric | project | baseline | ratio | machine | date |", "|---|---|---|---|---|---|---|"]
    for path in sorted((HERE / "results").glob("*.json")):  # the dose-response keeps its own folder
        r = json.loads(path.read_text())
        base = f"{r['baseline_value']} {r['unit']} ({r['baseline']})" if r.get("baseline") else "-"
        ratio = f"{r['ratio']}x" if r.get("ratio") is not None else "-"
        rows.append(f"| `{r['name']}` | {r['metric']} | {r['value']} {r['unit']} | {base} | {ratio} | {r['machine']} | {r['date']} |")
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
