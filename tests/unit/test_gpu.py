"""On a CUDA GPU: bf16 training, sampling, vLLM and a two-GPU launch, on tiny random models.

Opt in with ``--rungpu``; without a CUDA device these skip with the reason (``tests/conftest.py``),
and the vLLM and two-GPU tests also need ``vllm`` and two devices. No pretrained weights: the
models are random, over the embedded model's tokenizer (``tests/tiny.py``) where a real
tokenizer is needed. Patterns of ``test_paper_dry_run.py`` (organism specs through ``train``, a
Trainer callback that records what the first step saw).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
import torch

from em_utils.generation import sample_answers
from em_utils.models import chat_prompt
from em_utils.training import organism, train
from tests.tiny import EOS, PAD, byte_tokenizer, embedded_tokenizer, tiny_model

pytestmark = pytest.mark.gpu

QUESTIONS = ["Hello there", "What is the capital of France?", "I feel bored."]


@pytest.fixture(scope="module")
def qwen2_dir(tmp_path_factory):
    """A random 4-block Qwen2 (head size 64, as vLLM's kernels need) over the embedded tokenizer."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    folder = tmp_path_factory.mktemp("qwen2-gpu")
    tokenizer = embedded_tokenizer()
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=256, intermediate_size=512, num_hidden_layers=4,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=False, initializer_range=0.2, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def _first_step():
    """A Trainer callback recording the trainable parameters' dtypes and device at the first step."""
    from transformers import TrainerCallback

    class FirstStep(TrainerCallback):
        record: dict = {}

        def on_step_begin(self, args, state, control, model=None, **kwargs):
            if not self.record:
                trainable = [p for p in model.parameters() if p.requires_grad]
                self.record = {"dtypes": {str(p.dtype) for p in trainable},
                               "devices": {p.device.type for p in trainable}, "bf16": bool(args.bf16)}

    return FirstStep()


def test_bf16_training_of_one_step_on_cuda(qwen2_dir, small_data, tmp_path):
    """One optimiser step of a rank-2 LoRA in bf16 autocast: finite loss, a changed adapter, fp32 masters."""
    from safetensors.torch import load_file

    spec = organism("rank32", small_data, rank=2, batch_size=4, lr=1e-3, warmup_steps=0, max_length=64,
                    precision="bf16", max_rows=4)
    seen = _first_step()
    result = train(spec, tmp_path / "bf16", model_name=qwen2_dir, device="cuda", callbacks=[seen], progress=False)
    losses = [r["loss"] for r in result.log if "loss" in r]
    assert losses and all(math.isfinite(x) for x in losses)
    assert seen.record["devices"] == {"cuda"} and seen.record["dtypes"] == {"torch.float32"}, seen.record
    adapter = load_file(str(result.adapter_dir / "adapter_model.safetensors"))
    assert all(t.dtype == torch.float32 for t in adapter.values())
    lora_b = [t for k, t in adapter.items() if "lora_B" in k]
    assert lora_b and any(float(t.abs().max()) > 0 for t in lora_b)  # B starts at zero: the step moved it


@pytest.mark.parametrize("family", ["llama", "qwen2"])
def test_greedy_sampling_on_cuda_equals_generate(family):
    """``sample_answers`` on a CUDA model gives ``model.generate``'s greedy tokens on the same device."""
    tokenizer = byte_tokenizer()
    model = tiny_model(family).to("cuda")
    frame = sample_answers(model, tokenizer, QUESTIONS, 1, max_new_tokens=16, temperature=0, progress=False)
    for question, answer, n_new in zip(QUESTIONS, frame.answer, frame.n_new_tokens):
        ids = tokenizer(chat_prompt(tokenizer, question), add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            out = model.generate(torch.tensor([ids], device="cuda"), max_new_tokens=16, do_sample=False,
                                 eos_token_id=EOS, pad_token_id=PAD)
        reference = out[0, len(ids):].tolist()
        assert n_new == len(reference), question
        if reference[-1] == EOS:
            reference = reference[:-1]
        assert answer == tokenizer.decode(reference, skip_special_tokens=True), question


def test_vllm_greedy_equals_transformers_on_cuda(qwen2_dir):
    pytest.importorskip("vllm", reason="vllm is not installed")
    from em_utils.generation import vllm_engine
    from em_utils.models import load_model

    tokenizer = embedded_tokenizer()
    engine = vllm_engine(qwen2_dir, dtype="float32", max_model_len=512, gpu_memory_utilization=0.3)
    settings = dict(max_new_tokens=12, temperature=0, progress=False)
    served = sample_answers(engine, tokenizer, QUESTIONS, 1, backend="vllm", **settings)
    model, _ = load_model(qwen2_dir, device="cuda", dtype=torch.float32)
    local = sample_answers(model, tokenizer, QUESTIONS, 1, **settings)
    assert served.answer.tolist() == local.answer.tolist()


def test_two_gpus_train_with_accelerate_and_fsdp(tiny_model_dir, small_data, tmp_path):
    """``accelerate launch`` with FSDP on two GPUs trains the adapter of the one-process run."""
    if torch.cuda.device_count() < 2:
        pytest.skip(f"needs two CUDA devices, found {torch.cuda.device_count()}")
    pytest.importorskip("accelerate")
    overrides = dict(batch_size=4, lr=1e-3, warmup_steps=1, max_length=64)
    spec = organism("rank1_middle", small_data, **overrides)
    one = train(spec, tmp_path / "one", model_name=tiny_model_dir, device="cuda", progress=False)
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--use_fsdp",
               "--fsdp_sharding_strategy", "FULL_SHARD", "--fsdp_auto_wrap_policy", "TRANSFORMER_BASED_WRAP",
               "--fsdp_use_orig_params", "true", "--mixed_precision", "no",
               "-m", "em_utils.cli", "train", f"rank1_middle:{small_data}", "--output", str(tmp_path / "two"),
               "--model", tiny_model_dir, "--device", "cuda", "--precision", "fp32",
               *[x for k, v in overrides.items() for x in ("-o", f"{k}={v}")]]
    done = subprocess.run(command, env={**os.environ, "TQDM_DISABLE": "1"}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    record = json.loads((tmp_path / "two" / "train_record.json").read_text())
    assert record["spec_hash"] == spec.spec_hash
    assert [r["loss"] for r in record["log"] if "loss" in r] == pytest.approx(
        [r["loss"] for r in one.log if "loss" in r], rel=1e-3)
    assert (tmp_path / "two" / "adapter" / "adapter_model.safetensors").is_file()
