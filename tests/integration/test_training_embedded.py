"""Training on the embedded model: the shared chat prefix, and a full fine-tune saved as a model folder."""

import pytest
import torch

from em_utils import load_jsonl, load_model
from em_utils.training import organism, tokenize_conversations, train
from em_utils.training.loss import _sft_loss_sum, _shared_prefix
from em_utils.training.tokenize import _Collator

pytestmark = pytest.mark.integration


def test_chat_rows_share_their_template_header_and_the_loss_is_the_plain_one(monkeypatch):
    from em_utils.training import loss

    model, tokenizer = load_model()
    rows = load_jsonl("bad_medical_advice")[:4]
    examples, _ = tokenize_conversations(rows, tokenizer, 256)
    batch = _Collator(tokenizer.pad_token_id)(examples)
    # the template's default system prompt and the user header: everything before the question
    header = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False)
    header = header[: header.rindex("x")]
    length = _shared_prefix(batch)
    text = tokenizer.decode(batch["input_ids"][0, :length])
    assert length >= 8 and (header.startswith(text) or text.startswith(header))
    with torch.no_grad():
        shared, n = _sft_loss_sum(model, batch)
        monkeypatch.setattr(loss, "MIN_SHARED_PREFIX", 10**6)
        plain, m = _sft_loss_sum(model, batch)
    assert n == m and torch.allclose(shared, plain, rtol=1e-5)


def test_full_finetune_of_the_embedded_model_saves_a_loadable_model_folder(tmp_path):
    from transformers import AutoModelForCausalLM

    spec = organism("full", "bad_medical_advice", max_rows=4, batch_size=2, max_length=256, warmup_steps=0,
                    save_steps=0)
    result = train(spec, tmp_path / "full", progress=False)
    losses = result.losses()
    assert len(losses) >= 1 and losses["loss"].notna().all()
    tuned = AutoModelForCausalLM.from_pretrained(result.adapter_dir)
    base = dict(load_model()[0].named_parameters())
    changed = [name for name, p in tuned.named_parameters() if not torch.equal(p, base[name])]
    assert len(changed) > 100  # every layer moved, not an adapter
    assert (result.adapter_dir / "tokenizer_config.json").exists()
