"""Training launched as two processes (``torchrun``) on a tiny random Llama, against one process.

In the integration tier because it starts two Python processes (each importing torch and
transformers: about a minute on 2 cores); no pretrained weights. ``tiny_model_dir`` and
``small_data`` are the shared fixtures of ``tests/conftest.py`` (one model folder per session).
"""

from __future__ import annotations

import json

import pytest
import torch

from em_utils.training import TrainingError, organism, train

pytestmark = pytest.mark.integration


def test_two_processes_train_the_adapter_of_one(tiny_model_dir, small_data, tmp_path, monkeypatch):
    """A distributed launch (``torchrun``; ``accelerate launch`` sets the same variables on GPUs)
    splits the spec's batch over the processes: every step sees the rows and gives the gradient of
    the one-process run, and only the main process writes the adapter and the record."""
    import os
    import subprocess
    import sys

    from safetensors.torch import load_file

    spec = organism("rank1_middle", small_data, batch_size=4, lr=1e-3, warmup_steps=1, max_length=64)
    one = train(spec, tmp_path / "one", model_name=tiny_model_dir, progress=False)
    overrides = [f"{k}={v}" for k, v in dict(batch_size=4, lr=1e-3, warmup_steps=1, max_length=64).items()]
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
               "-m", "em_utils.cli", "train", f"rank1_middle:{small_data}", "--output", str(tmp_path / "two"),
               "--model", tiny_model_dir, "--device", "cpu", "--precision", "fp32", *[x for o in overrides for x in ("-o", o)]]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count('"organism"') == 1  # the main process reports, once
    record = json.loads((tmp_path / "two" / "train_record.json").read_text())
    assert record["spec_hash"] == spec.spec_hash
    assert [r["loss"] for r in record["log"] if "loss" in r] == pytest.approx(
        [r["loss"] for r in one.log if "loss" in r], rel=1e-4)
    a = load_file(str(one.adapter_dir / "adapter_model.safetensors"))
    b = load_file(str(tmp_path / "two" / "adapter" / "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-6)
    monkeypatch.setenv("WORLD_SIZE", "3")
    with pytest.raises(TrainingError, match="split over 3 processes"):
        train(spec, tmp_path / "three", model_name=tiny_model_dir, progress=False)
