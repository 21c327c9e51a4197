"""A recorded 0.5B run is reproducible: its first optimiser steps, rebuilt from record.json alone, give the
recorded losses on a host of the same kind at the same precision.

Stated tolerance: 0.01 nats per token at each of the first two steps (the second reads the first update). Measured on the recording host
(2026-12-03, bf16 autocast): the rerun matched to 5e-5; the margin is for library releases within the
declared bounds, whose kernels may round differently. Runs only when the
0.5B model is in the model cache (``make models``; see test_qwen_model.py) and only on a host whose CPU
and resolved precision match the record's: elsewhere it is skipped with the reason.
"""

import json
import os

import pytest

from em_utils.dose import dose_folder, rerun_first_steps
from em_utils.models import cached_model_dir
from em_utils.precision import precision_report

FOLDER = "qwen2.5-coder-0.5b-instruct-rank1-lr5e-5"  # the rank-1 0.5B run whose 512 rows chapter 3 discusses
RUN = "rank1_middle-bad_medical_advice-lr5e-05"
TOLERANCE = 0.01

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(cached_model_dir("qwen2.5-coder-0.5b-instruct") is None and os.environ.get("EM_TEST_QWEN") != "1",
                       reason="qwen2.5-coder-0.5b-instruct is not in the model cache: run `make models` once"),
]


def test_the_first_steps_of_a_recorded_run_give_the_recorded_losses(tmp_path):
    record = json.loads((dose_folder(FOLDER) / "record.json").read_text())["precision"]
    here = precision_report(record["requested"], "cpu")
    if (here["cpu"], here["precision"]) != (record["cpu"], record["precision"]):
        pytest.skip(f"recorded on {record['cpu']} in {record['precision']}; this host is {here['cpu']} "
                    f"resolving to {here['precision']}: losses are compared on the same kind of host only")
    table = rerun_first_steps(dose_folder(FOLDER), RUN, steps=2, workdir=tmp_path)
    assert len(table) == 2, table
    assert table["diff"].abs().max() < TOLERANCE, table.to_string()


def test_the_first_steps_of_the_recorded_overnight_profile_give_its_losses(tmp_path):
    from em_utils.recorded import recorded_dir, rerun_first_steps as rerun_recorded

    folder = recorded_dir("overnight")
    if not (folder / "record.json").is_file():
        pytest.skip("no overnight profile recorded (em-companion record overnight)")
    record = json.loads((folder / "record.json").read_text())["precision"]
    here = precision_report("auto", "cpu")
    if (here["cpu"], here["precision"]) != (record["cpu"], record["precision"]):
        pytest.skip(f"recorded on {record['cpu']} in {record['precision']}; this host is {here['cpu']} "
                    f"resolving to {here['precision']}: losses are compared on the same kind of host only")
    table = rerun_recorded(folder, "rank1_middle_bad_medical_advice", steps=2, workdir=tmp_path)
    assert len(table) == 2, table
    assert table["diff"].abs().max() < TOLERANCE, table.to_string()
