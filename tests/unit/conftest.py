"""The unit tier loads no real model weights (see ``tests/conftest.py`` and ``tests/README.md``).

A test here that loads the embedded model, the downloaded Qwen, a GGUF file or the offline
judge's MiniLM encoder fails with a message saying where it belongs: ``tests/integration``.
Tokenizer files are allowed (``tests/tiny.py: embedded_tokenizer`` reads no weights).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny import RealWeightsError, real_weight_roots


@pytest.fixture(autouse=True, scope="module")
def _no_real_weights():
    """Guard ``PreTrainedModel.from_pretrained`` for the module (undone after it, so other tiers are free)."""
    from transformers import PreTrainedModel

    roots = real_weight_roots()
    load = PreTrainedModel.__dict__["from_pretrained"].__func__

    def guarded(cls, pretrained_model_name_or_path=None, *args, **kwargs):
        source = pretrained_model_name_or_path
        path = Path(str(source)).expanduser().resolve() if source is not None else None
        if kwargs.get("gguf_file") or (path is not None and any(path.is_relative_to(r) for r in roots)):
            raise RealWeightsError(
                f"a unit test loads real model weights ({source} {kwargs.get('gguf_file') or ''}): "
                "use a tiny random model (tests/tiny.py) or move the test to tests/integration")
        return load(cls, pretrained_model_name_or_path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PreTrainedModel, "from_pretrained", classmethod(guarded))
        yield

