"""Layer addressing and model-name errors, on tiny random models (no weights, no network)."""

import time

import pytest

from em_utils.models import (
    LayerError,
    ModelNotFoundError,
    decoder_layers,
    load_model,
    num_layers,
    resolve_layer,
    resolve_layers,
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
