"""The model's identity: a sha256 that changes whenever its answers could change.

:func:`model_fingerprint` enters every sample cache key (:mod:`em_utils.generation.samples`);
every key of this package is a :func:`~em_utils.keys.content_key` of a JSON value.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from typing import Any

import numpy as np
import torch

from ..keys import content_key
from ..models import unwrap_model

__all__ = ["model_fingerprint"]

_FULL_HASH_BYTES = 2 * 2**30
_SAMPLED_ELEMENTS = 65536


_FINGERPRINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _model_description(model: torch.nn.Module) -> dict[str, Any]:
    base = unwrap_model(model)
    config = getattr(base, "config", None)
    described = config.to_dict() if config is not None else {}
    described = {k: v for k, v in described.items() if not k.startswith("_") and k != "transformers_version"}
    peft = getattr(model, "peft_config", None) or {}
    disabled = any(getattr(m, "disable_adapters", False) is True for m in model.modules() if hasattr(m, "lora_A"))
    # forward hooks change answers: an intervention of em_utils.interventions says what it does; any
    # other hook is named by identity, so its samples are never taken for another model's
    hooks = [[name, getattr(hook, "em_intervention", None) or f"{getattr(hook, '__qualname__', type(hook).__name__)}@{id(hook)}"]
             for name, module in model.named_modules() for hook in module._forward_hooks.values()]
    return {
        "class": type(base).__name__,
        "config": described,
        "peft": {name: cfg.to_dict() for name, cfg in peft.items()},
        "active_adapters": list(getattr(model, "active_adapters", []) or []) if peft else [],
        "adapters_disabled": disabled,
        **({"forward_hooks": hooks} if hooks else {}),
    }


def _tensor_bytes(tensor: torch.Tensor, full: bool) -> np.ndarray:
    flat = tensor.detach().reshape(-1)
    if not full and flat.numel() > _SAMPLED_ELEMENTS:
        flat = flat[:: flat.numel() // _SAMPLED_ELEMENTS]
    return flat.contiguous().view(torch.uint8).cpu().numpy()


def model_fingerprint(model: Any) -> str:
    """A sha256 that changes whenever the model's answers could change.

    It hashes the architecture and config, every parameter and buffer (adapter weights included),
    the PEFT adapter configs, which adapters are active and whether they are disabled. Models over
    2 GiB hash an evenly strided sample of each frozen tensor (65,536 values) and every trainable
    one in full, so that a 14B model takes seconds, not minutes. The result is remembered per
    model object until a tensor is replaced or modified in place (training steps, ``load_state_dict``).

    Args:
        model: a ``torch.nn.Module`` (a transformers model, a PeftModel), or a model name or path
            (hashed as a name: for engines such as vLLM that load weights themselves).

    Returns:
        64 hex digits.
    """
    if isinstance(model, (str, os.PathLike)):
        return content_key({"model_name": str(model)})
    tensors = [*model.named_parameters(), *model.named_buffers()]
    described = content_key(_model_description(model))
    state = (described, tuple((name, t.data_ptr(), t._version, str(t.dtype)) for name, t in tensors))
    known = _FINGERPRINTS.get(model)
    if known is not None and known[0] == state:
        return known[1]
    digest = hashlib.sha256(described.encode())
    full = sum(t.numel() * t.element_size() for _, t in tensors) <= _FULL_HASH_BYTES
    for name, tensor in tensors:
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        if tensor.device.type != "meta":
            digest.update(_tensor_bytes(tensor, full or tensor.requires_grad))
    value = digest.hexdigest()
    _FINGERPRINTS[model] = (state, value)
    return value
