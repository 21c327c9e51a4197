"""Saved adapters read back: the norms of their LoRA matrices, per checkpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

__all__ = ["adapter_norms", "adapter_history", "rank1_history"]


def adapter_norms(adapter_dir: str | Path):
    """Norms of every LoRA A and B matrix in a saved adapter, one row per (layer, module).

    Returns a frame with columns layer, module, rank, a_norm, b_norm.
    """
    import pandas as pd
    from safetensors.torch import load_file

    tensors = load_file(str(Path(adapter_dir) / "adapter_model.safetensors"))
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for name, tensor in tensors.items():
        match = re.search(r"layers\.(\d+)\..*?(\w+)\.lora_([AB])", name)
        if not match:
            continue
        layer, module, which = int(match[1]), match[2], match[3]
        row = rows.setdefault((layer, module), {"layer": layer, "module": module})
        row[f"{which.lower()}_norm"] = float(tensor.float().norm())
        row["rank"] = tensor.shape[0] if which == "A" else tensor.shape[1]
    return pd.DataFrame(sorted(rows.values(), key=lambda r: (r["layer"], r["module"])))


def adapter_history(output_dir: str | Path):
    """Norms of every LoRA A and B matrix at each saved checkpoint and at the end, one row each.

    The raw material of the phase-transition analysis: columns step, layer, module, a_norm,
    b_norm (the final adapter is the last step).
    """
    import pandas as pd

    output_dir = Path(output_dir)
    frames = []
    for checkpoint in sorted(output_dir.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])):
        if (checkpoint / "adapter_model.safetensors").is_file():
            frames.append(adapter_norms(checkpoint).assign(step=int(checkpoint.name.split("-")[-1])))
    final = output_dir / "adapter"
    record = output_dir / "train_record.json"
    if (final / "adapter_model.safetensors").is_file() and record.is_file():
        steps = [r["step"] for r in json.loads(record.read_text())["log"] if "step" in r]
        last = max(steps) if steps else 0
        if not frames or frames[-1]["step"].iloc[0] != last:
            frames.append(adapter_norms(final).assign(step=last))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def rank1_history(results: Mapping[str, Any]):
    """:func:`adapter_history` of every rank-1 LoRA organism in ``results`` (name -> ``TrainResult``).

    One frame with an ``organism`` column; empty when no organism is a rank-1 LoRA.
    """
    import pandas as pd

    frames = [adapter_history(r.output_dir).assign(organism=name) for name, r in results.items()
              if r.spec.method == "lora" and r.spec.rank == 1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
