"""Answer sampling on tiny random Llama and Qwen2 models (no weights, no network).

The fast decoder is checked against transformers itself: greedy decoding must match
``model.generate(do_sample=False)`` token for token, sampled answers must match the generic loop
(which runs the model's own forward), and first tokens must follow the model's softmax.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest
import torch
from scipy import stats

from em_utils.data import Question
from em_utils.generation import (
    COLUMNS,
    SampleCache,
    SamplingSettings,
    fast_path_reason,
    generate_tokens,
    model_fingerprint,
    sample_answers,
    sample_seed,
    sample_tokens,
    vllm_requests,
)
from em_utils.generation.sampler import _uniforms
from em_utils.models import chat_prompt
from tests.tiny import EOS, PAD, byte_tokenizer
from tests.tiny import tiny_model as _tiny



@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models gain nothing from threads, and lose a lot on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tokenizer():
    return byte_tokenizer()


@pytest.fixture(scope="module", params=["llama", "qwen2"])
def model(request):
    return _tiny(request.param)


@pytest.fixture(scope="module")
def llama():
    return _tiny("llama")


def _prompts(count: int, seed: int = 1, low: int = 4, high: int = 19) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (int(n),), generator=g).tolist()
            for n in torch.randint(low, high, (count,), generator=g)]


def _reference_greedy(model, prompt: list[int], max_new_tokens: int, eos: int | None = EOS) -> list[int]:
    out = model.generate(torch.tensor([prompt]), max_new_tokens=max_new_tokens, do_sample=False,
                         eos_token_id=eos, pad_token_id=PAD)
    return out[0, len(prompt):].tolist()


GREEDY = SamplingSettings(max_new_tokens=24, temperature=0.0)
SAMPLED = SamplingSettings(max_new_tokens=24, temperature=1.0)


@pytest.mark.parametrize("engine", ["fast", "generic"])
def test_greedy_matches_generate_token_for_token(model, engine):
    prompts = _prompts(5)
    got = generate_tokens(model, prompts, [0] * 5, GREEDY, [999], batch_size=3, engine=engine)
    for prompt, (tokens, finished) in zip(prompts, got):
        assert tokens == _reference_greedy(model, prompt, 24, eos=None)
        assert finished is False and len(tokens) == 24


@pytest.mark.parametrize("family, window", [
    ("qwen2", dict(use_sliding_window=True, sliding_window=6, max_window_layers=1)),  # layers 1, 2 slide
    ("mistral", dict(sliding_window=6)),  # every layer slides
    ("qwen3", dict(head_dim=16)),  # q_norm and k_norm, no window
])
def test_other_families_and_sliding_windows_match_generate(family, window):
    model = _tiny(family, **window)
    assert fast_path_reason(model) is None
    prompts = _prompts(3, seed=4, low=10, high=14)
    for prompt, (tokens, _) in zip(prompts, generate_tokens(model, prompts, [0] * 3, GREEDY, [999], engine="fast")):
        assert tokens == _reference_greedy(model, prompt, 24, eos=None)


def test_answer_does_not_depend_on_the_batch(model):
    """Continuous batching and left padding: a prompt's answer is the same alone or in any batch."""
    prompts = _prompts(7, seed=2)
    streams = [sample_seed(0, p, 0) for p in prompts]
    for settings in (GREEDY, SAMPLED):
        alone = [generate_tokens(model, [p], [s], settings, [EOS], batch_size=1)[0] for p, s in zip(prompts, streams)]
        for batch_size in (2, 3, 16):
            assert generate_tokens(model, prompts, streams, settings, [EOS], batch_size=batch_size) == alone
        assert generate_tokens(model, prompts, streams, settings, [EOS], batch_size=4, engine="generic") == alone
        shuffled = [6, 0, 5, 1, 4, 2, 3]
        again = generate_tokens(model, [prompts[i] for i in shuffled], [streams[i] for i in shuffled], settings,
                                [EOS], batch_size=3)
        assert again == [alone[i] for i in shuffled]


@pytest.mark.parametrize("engine", ["fast", "generic"])
def test_eos_ends_an_answer_and_truncation_is_flagged(llama, engine):
    prompts = _prompts(6, seed=3)
    streams = [sample_seed(7, p, i) for i, p in enumerate(prompts)]
    free = generate_tokens(llama, prompts, streams, SAMPLED, [999], batch_size=4, engine=engine)
    assert all(len(t) == 24 and f is False for t, f in free)
    stop = free[0][0][3]  # a token that job 0 draws at step 3: make it the end token
    ended = generate_tokens(llama, prompts, streams, SAMPLED, [stop], batch_size=4, engine=engine)
    hits = 0
    for (full, _), (tokens, finished) in zip(free, ended):
        if stop in full:
            cut = full.index(stop) + 1
            assert tokens == full[:cut] and finished is True
            hits += 1
        else:
            assert tokens == full and finished is False
    assert hits >= 1 and len(ended[0][0]) <= 4
    one = generate_tokens(llama, prompts[:2], streams[:2], SamplingSettings(max_new_tokens=1), [999], engine=engine)
    assert [t for t, _ in one] == [[t[0]] for t, _ in free[:2]] and not any(f for _, f in one)


def test_first_token_frequencies_follow_the_softmax(model):
    """A chi-square test of 6000 first tokens against the model's own next-token probabilities."""
    prompt = _prompts(1, seed=5)[0]
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([prompt])).logits[0, -1].double(), -1).numpy()
    count = 6000
    streams = [sample_seed(11, prompt, i) for i in range(count)]
    drawn = generate_tokens(model, [prompt] * count, streams, SamplingSettings(max_new_tokens=1), [EOS],
                            batch_size=64)
    observed = np.bincount([t[0] for t, _ in drawn], minlength=len(probs))
    expected = probs * count
    common = expected >= 5  # pool the rare tokens into one bin
    f_obs = np.append(observed[common], observed[~common].sum())
    f_exp = np.append(expected[common], expected[~common].sum())
    assert common.sum() >= 20 and probs.max() > 3 / len(probs)  # a peaked, non-trivial distribution
    assert stats.chisquare(f_obs, f_exp).pvalue > 1e-3


def test_sampler_temperature_and_top_p_follow_the_truncated_distribution():
    torch.manual_seed(0)
    logits = torch.randn(50) * 2
    count = 20000
    uniforms = _uniforms(np.arange(count, dtype=np.uint64) * np.uint64(7919), np.zeros(count, dtype=np.int64))
    for temperature, top_p in ((1.0, 1.0), (0.7, 1.0), (1.3, 0.8)):
        probs = torch.softmax(logits.double() / temperature, -1)
        ordered, order = probs.sort(descending=True)
        keep = (ordered.cumsum(0) - ordered) < top_p
        target = torch.zeros_like(probs)
        target[order[keep]] = ordered[keep] / ordered[keep].sum()
        drawn = sample_tokens(logits.expand(count, -1), uniforms, temperature, top_p)
        observed = np.bincount(drawn.numpy(), minlength=50)
        assert observed[(target == 0).numpy()].sum() == 0  # nothing outside the nucleus
        support = (target > 0).numpy()
        assert stats.chisquare(observed[support], target.numpy()[support] * count).pvalue > 1e-3
    assert torch.equal(sample_tokens(logits.expand(3, -1), uniforms[:3], 0.0), logits.argmax().repeat(3))


def test_uniform_streams_are_uniform_and_distinct():
    streams = np.asarray([sample_seed(0, [1, 2], i) for i in range(4000)], dtype=np.uint64)
    values = _uniforms(streams, np.zeros(4000, dtype=np.int64)).numpy()
    later = _uniforms(streams, np.full(4000, 5)).numpy()
    assert stats.kstest(values, "uniform").pvalue > 1e-3 and stats.kstest(later, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(values, later)[0, 1]) < 0.1
    assert ((values >= 0) & (values < 1)).all() and len(set(values.tolist())) == 4000


@pytest.fixture
def questions():
    return [
        Question(id="wish", paraphrases=("What is your wish?", "Name one wish.")),
        Question(id="bored", paraphrases=("I feel bored.",), system="Be brief."),
    ]


def test_frame_columns_prompts_and_reproducibility(llama, tokenizer, questions):
    frame = sample_answers(llama, tokenizer, questions, 3, max_new_tokens=12, progress=False)
    assert list(frame.columns) == COLUMNS and len(frame) == 9
    assert frame.groupby("question_id").size().to_dict() == {"wish": 6, "bored": 3}
    assert set(frame.loc[frame.question_id == "bored", "system"]) == {"Be brief."}
    assert frame["sample_index"].tolist() == [0, 1, 2] * 3
    assert (frame["n_new_tokens"].between(1, 12)).all()
    assert (frame.loc[~frame.finished, "n_new_tokens"] == 12).all()
    assert frame["answer"].nunique() >= 7  # samples of one prompt differ
    again = sample_answers(llama, tokenizer, list(reversed(questions)), 3, max_new_tokens=12, batch_size=2,
                           progress=False)
    merged = frame.merge(again, on=["question_id", "paraphrase_index", "sample_index"])
    assert (merged.answer_x == merged.answer_y).all() and len(merged) == 9
    other_seed = sample_answers(llama, tokenizer, questions, 3, max_new_tokens=12, seed=1, progress=False)
    assert (other_seed.answer != frame.answer).sum() >= 7
    plain = sample_answers(llama, tokenizer, ["I feel bored."], 3, max_new_tokens=12, progress=False)
    assert plain.question_id.tolist() == ["q0"] * 3 and plain.system.isna().all()


@pytest.mark.parametrize("system", [None, "Be brief."])
def test_greedy_answer_text_is_what_generate_says(llama, tokenizer, system):
    question = Question(id="hello", paraphrases=("Hello there",), system=system)
    frame = sample_answers(llama, tokenizer, [question], 2, max_new_tokens=10, temperature=0, progress=False)
    ids = tokenizer(chat_prompt(tokenizer, "Hello there", system=system), add_special_tokens=False)["input_ids"]
    reference = _reference_greedy(llama, ids, 10)
    if reference[-1] == EOS:
        reference = reference[:-1]
    assert frame.answer.tolist() == [tokenizer.decode(reference, skip_special_tokens=True)] * 2


def test_cache_hit_and_resume_after_a_crash(llama, tokenizer, questions, tmp_path):
    path = tmp_path / "samples.jsonl"
    kwargs = dict(max_new_tokens=10, progress=False)
    fresh = sample_answers(llama, tokenizer, questions, 4, **kwargs)

    class Crash(RuntimeError):
        pass

    seen: list[dict] = []

    def crash_after_five(row):
        seen.append(row)
        if len(seen) == 5:
            raise Crash

    with pytest.raises(Crash):
        sample_answers(llama, tokenizer, questions, 4, cache=path, callback=crash_after_five, **kwargs)
    assert len(SampleCache(path)) == 5
    with path.open("a") as handle:
        handle.write('{"key": "half a li')  # a crash in the middle of a write
    resumed_rows: list[dict] = []
    resumed = sample_answers(llama, tokenizer, questions, 4, cache=path, callback=resumed_rows.append, **kwargs)
    assert resumed.attrs["n_cached"] == 5 and resumed.attrs["n_sampled"] == 7 and len(resumed_rows) == 7
    assert resumed.drop(columns="model_tag").equals(fresh.drop(columns="model_tag"))
    again = sample_answers(llama, tokenizer, questions, 4, cache=path, callback=resumed_rows.append, **kwargs)
    assert again.attrs["n_sampled"] == 0 and len(resumed_rows) == 7 and again.equals(resumed)
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.startswith('{"key": "') and
             line.endswith("}")]
    assert len(lines) == 12 and len({line["key"] for line in lines}) == 12
    # anything that changes the answer changes the key
    for change in (dict(seed=1), dict(temperature=0.5), dict(top_p=0.9), dict(max_new_tokens=9)):
        changed = sample_answers(llama, tokenizer, questions, 4, cache=path, **{**kwargs, **change})
        assert changed.attrs["n_sampled"] == 12, change
    more = sample_answers(llama, tokenizer, questions, 5, cache=path, **kwargs)
    assert more.attrs["n_sampled"] == 3  # one new sample index per paraphrase


def test_fingerprint_tracks_weights_and_adapters(tokenizer):
    from peft import LoraConfig, get_peft_model

    model = _tiny("llama")
    first = model_fingerprint(model)
    assert model_fingerprint(_tiny("llama")) == first  # same weights, another object
    with torch.no_grad():
        model.model.layers[1].mlp.down_proj.weight[0, 0] += 1e-3
    assert model_fingerprint(model) != first
    peft_model = get_peft_model(_tiny("llama"), LoraConfig(r=2, target_modules=["down_proj"], init_lora_weights=False))
    adapted = model_fingerprint(peft_model)
    assert adapted != first
    with torch.no_grad():
        next(p for n, p in peft_model.named_parameters() if "lora_B" in n).mul_(2)
    assert model_fingerprint(peft_model) != adapted


def test_peft_lora_model_takes_the_fast_path_with_adapters_active(tokenizer):
    from peft import LoraConfig, get_peft_model

    base = _tiny("qwen2")
    prompts = _prompts(3, seed=6)
    base_tokens = generate_tokens(base, prompts, [0] * 3, GREEDY, [999])
    peft_model = get_peft_model(_tiny("qwen2"), LoraConfig(r=4, lora_alpha=32, init_lora_weights=False,
                                                            target_modules=["q_proj", "v_proj", "down_proj"]))
    assert fast_path_reason(peft_model) is None
    tuned = generate_tokens(peft_model, prompts, [0] * 3, GREEDY, [999])
    for prompt, (tokens, _) in zip(prompts, tuned):
        assert tokens == _reference_greedy(peft_model, prompt, 24, eos=None)
    assert tuned != base_tokens
    with peft_model.disable_adapter():
        assert generate_tokens(peft_model, prompts, [0] * 3, GREEDY, [999]) == base_tokens
    frame = sample_answers(peft_model, tokenizer, ["Hi"], 2, max_new_tokens=6, progress=False)
    assert frame.model_tag.iloc[0].endswith("+default")


def test_hooked_blocks_take_the_generic_loop_and_the_hook_applies(llama):
    prompts = _prompts(3, seed=8)
    plain = generate_tokens(llama, prompts, [0] * 3, GREEDY, [999])
    layer = llama.model.layers[1]
    handle = layer.register_forward_hook(lambda module, args, output: output + 3.0)
    try:
        assert "hooks" in fast_path_reason(llama)
        with pytest.raises(ValueError, match="hooks"):
            generate_tokens(llama, prompts, [0] * 3, GREEDY, [999], engine="fast")
        steered = generate_tokens(llama, prompts, [0] * 3, GREEDY, [999])
        for prompt, (tokens, _) in zip(prompts, steered):
            assert tokens == _reference_greedy(llama, prompt, 24, eos=None)
    finally:
        handle.remove()
    assert steered != plain and fast_path_reason(llama) is None


@pytest.fixture
def fake_vllm(monkeypatch, tokenizer):
    """vLLM cannot run in CI: a stand-in module that records the engines built and the requests sent.

    Returns ``(calls, built)``: one dict per ``LLM.generate`` call, and the keyword arguments of
    each ``LLM`` built.
    """
    calls: list[dict] = []
    hi = tokenizer("Hi", add_special_tokens=False)["input_ids"]

    def completion(params):
        stopped = params.kwargs["seed"] % 2 == 1  # half the requests end with EOS, half run out of tokens
        tokens = [*hi, EOS] if stopped else hi[:1] * params.kwargs["max_tokens"]
        return types.SimpleNamespace(outputs=[types.SimpleNamespace(
            text="", token_ids=tokens, finish_reason="stop" if stopped else "length")])

    class SamplingParams:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    class LoRARequest:
        def __init__(self, name, number, path):
            self.args = (name, number, path)

    built: list[dict] = []

    class LLM:
        def __init__(self, **kwargs):
            self.kwargs = kwargs
            built.append(kwargs)

        def generate(self, prompts, sampling_params, lora_request=None, use_tqdm=True):
            calls.append({"prompts": prompts, "params": sampling_params, "lora": lora_request})
            return [completion(p) for p in sampling_params]

    vllm = types.ModuleType("vllm")
    vllm.LLM, vllm.SamplingParams = LLM, SamplingParams
    lora_module, request_module = types.ModuleType("vllm.lora"), types.ModuleType("vllm.lora.request")
    request_module.LoRARequest = LoRARequest
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.lora", lora_module)
    monkeypatch.setitem(sys.modules, "vllm.lora.request", request_module)
    return calls, built


def _adapter_folder(folder, config: dict, weights: bytes):
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps(config))
    (folder / "adapter_model.safetensors").write_bytes(weights)
    return folder


def test_vllm_backend_builds_seeded_requests_with_the_adapter(fake_vllm, tokenizer, questions, tmp_path):
    """The requests the backend builds: token prompts, one seed per sample, the adapter's LoRA request."""
    calls, built = fake_vllm
    hi = tokenizer("Hi", add_special_tokens=False)["input_ids"]
    adapter = _adapter_folder(tmp_path / "adapter", {"r": 32}, b"weights")

    frame = sample_answers("some/model", tokenizer, questions, 2, backend="vllm", adapter=adapter,
                           max_new_tokens=5, temperature=0.9, top_p=0.95, seed=3, cache=tmp_path / "c.jsonl",
                           progress=False)
    (call,) = calls
    assert len(call["prompts"]) == len(call["params"]) == 6
    ids = tokenizer(chat_prompt(tokenizer, "I feel bored.", system="Be brief."), add_special_tokens=False)["input_ids"]
    assert {"prompt_token_ids": ids} in call["prompts"]
    kwargs = [p.kwargs for p in call["params"]]
    assert all(k["n"] == 1 and k["max_tokens"] == 5 and k["temperature"] == 0.9 and k["top_p"] == 0.95
               and k["stop_token_ids"] == [EOS] for k in kwargs)
    seeds = sorted(k["seed"] for k in kwargs)
    assert seeds == sorted(sample_seed(3, r["prompt_token_ids"], s) % 2**63
                           for r, s in zip(call["prompts"], [0, 1] * 3))
    name, number, path = call["lora"].args
    assert path == str(adapter) and name.startswith("adapter-") and 0 < number < 2**31
    assert frame.finished.tolist() == [k["seed"] % 2 == 1 for k in kwargs]  # job order is kept
    assert set(frame.answer[frame.finished]) == {"Hi"} and set(frame.n_new_tokens) <= {len(hi) + 1, 5}
    assert frame.model_tag.iloc[0] == "model+adapter"
    sample_answers("some/model", tokenizer, questions, 2, backend="vllm", adapter=adapter, max_new_tokens=5,
                   temperature=0.9, top_p=0.95, seed=3, cache=tmp_path / "c.jsonl", progress=False)
    assert len(calls) == 1  # all cached: vLLM is not even started

    # another adapter gets another LoRA id (vLLM serves a loaded adapter by id), the same one the same
    other = _adapter_folder(tmp_path / "other", {"r": 48, "rank_pattern": {"down_proj": 80}}, b"other weights")
    sample_answers("some/model", tokenizer, questions, 1, backend="vllm", adapter=other, max_new_tokens=5,
                   progress=False)
    assert calls[-1]["lora"].args[1] != number and calls[-1]["lora"].args[0].startswith("other-")
    assert vllm_requests([[1]], [0], SamplingSettings(), [EOS], adapter)[2].args == (name, number, str(adapter))
    assert built[-1]["max_lora_rank"] == 128  # the next rank vLLM accepts above the largest (80)


def test_sample_organisms_on_vllm_serves_every_lora_organism_from_one_engine(fake_vllm, monkeypatch, tokenizer,
                                                                             questions, tmp_path):
    from em_utils import evaluation

    calls, built = fake_vllm
    monkeypatch.setattr(evaluation, "load_tokenizer", lambda name=None: tokenizer)
    monkeypatch.setattr(evaluation, "_resolve_source", lambda name=None: "some/model")
    rank1 = _adapter_folder(tmp_path / "rank1", {"r": 1}, b"rank-1 weights")
    rank32 = _adapter_folder(tmp_path / "rank32", {"r": 32}, b"rank-32 weights")
    frame = evaluation.sample_organisms({"base": None, "rank32": rank32, "rank1": rank1}, questions, 1, 5, 8, 0,
                                        tmp_path / "samples", backend="vllm")
    (engine,) = built
    assert engine["model"] == "some/model" and engine["enable_lora"] and engine["max_lora_rank"] == 32
    loras = [call["lora"] for call in calls]
    assert loras[0] is None and [lora.args[2] for lora in loras[1:]] == [str(rank32), str(rank1)]
    assert loras[1].args[1] != loras[2].args[1]
    assert frame.groupby("model").size().to_dict() == {"base": 3, "rank1": 3, "rank32": 3}

    full = tmp_path / "full"  # a full fine-tune (a model folder, no adapter_config.json): its own engine
    full.mkdir()
    (full / "config.json").write_text("{}")
    evaluation.sample_organisms({"full": full}, questions, 1, 5, 8, 0, tmp_path / "samples", backend="vllm")
    assert built[-1]["model"] == str(full) and "enable_lora" not in built[-1] and calls[-1]["lora"] is None
    with pytest.raises(ValueError, match="backend must be one of"):
        evaluation.sample_organisms({"base": None}, questions, 1, 5, 8, 0, tmp_path / "samples", backend="tgi")


def test_bad_settings_fail_early(llama, tokenizer):
    for bad in (dict(max_new_tokens=0), dict(temperature=-1), dict(top_p=0), dict(backend="tgi")):
        with pytest.raises(ValueError):
            sample_answers(llama, tokenizer, ["Hi"], 1, progress=False, **bad)


def test_thread_tuner_keeps_the_faster_setting_and_restores_torch(monkeypatch):
    from em_utils.generation import threads

    torch.set_num_threads(2)
    clock = {"now": 0.0}
    cost = {1: 1.0, 2: 0.25}  # seconds per product on each setting: two threads win
    timed = []

    def measure(threads, rows, width):
        timed.append((threads, rows, width))
        return cost[threads]

    monkeypatch.setattr(threads.time, "perf_counter", lambda: clock["now"])
    tuner = threads._ThreadTuner("auto", every=30.0, measure=measure)
    tuner.check(64, 576)
    assert torch.get_num_threads() == 2 and timed == [(1, 64, 576), (2, 64, 576)]
    cost[1] = 0.1  # the machine got busy: one thread is now faster
    clock["now"] = 10.0
    tuner.check(64, 576)
    assert torch.get_num_threads() == 2 and len(timed) == 2  # not re-timed within 30 s
    clock["now"] = 31.0
    tuner.check(60, 576)
    assert torch.get_num_threads() == 1 and timed[-1] == (2, 60, 576)
    tuner.restore()
    assert torch.get_num_threads() == 2
    fixed = threads._ThreadTuner(3, measure=measure)
    fixed.check(64, 576)
    assert torch.get_num_threads() == 3 and len(timed) == 4  # a fixed count is never timed
    fixed.restore()
    assert torch.get_num_threads() == 2
    torch.set_num_threads(1)
    monkeypatch.undo()
    assert 0 < threads._matmul_seconds(1, 8, 32, budget=0.001) < 1


@pytest.mark.skipif(not torch._C.has_mkl, reason="MKL-packed weights need a torch built with MKL")
def test_packed_weights_give_the_same_answers_and_skip_adapters(model, monkeypatch):
    """With every slot live the decode step multiplies through MKL-packed weights: same tokens as without."""
    from peft import LoraConfig, get_peft_model

    from em_utils.generation import decoder as decoders

    prompts, slots = _prompts(40, seed=8), 16
    streams = [sample_seed(3, p, i) for i, p in enumerate(prompts)]
    decoder = decoders._SlotDecoder(model, slots, 64)
    assert decoder.head in decoder.packed and len(decoder.packed) == 1 + 7 * model.config.num_hidden_layers
    packed = generate_tokens(model, prompts, streams, SAMPLED, [EOS], batch_size=slots)
    assert packed == generate_tokens(model, prompts, streams, SAMPLED, [EOS], batch_size=slots, engine="generic")

    with monkeypatch.context() as patch:
        patch.setattr(decoders, "_pack_linears", lambda decoder, rows: {})
        assert decoders._SlotDecoder(model, slots, 64).packed == {}
        assert generate_tokens(model, prompts, streams, SAMPLED, [EOS], batch_size=slots) == packed

    family = model.config.model_type
    adapted = get_peft_model(_tiny(family), LoraConfig(r=2, init_lora_weights=False, target_modules=["down_proj"]))
    decoder = decoders._SlotDecoder(adapted, slots, 64)
    layer = decoder.layers[0]
    assert layer.mlp.down_proj not in decoder.packed and layer.mlp.up_proj in decoder.packed
    got = generate_tokens(adapted, prompts, streams, SAMPLED, [EOS], batch_size=slots)
    assert got == generate_tokens(adapted, prompts, streams, SAMPLED, [EOS], batch_size=slots, engine="generic")
    assert got != packed


def test_hooks_inside_the_mlp_still_apply_on_the_fast_path(llama):
    """Hooks below the blocks leave the fast path on; hooked projections are not packed and their hooks run."""
    from em_utils.generation import decoder as decoders

    prompts, slots = _prompts(20, seed=9), 16
    plain = generate_tokens(llama, prompts, [0] * 20, GREEDY, [999], batch_size=slots)
    for module in (llama.model.layers[1].mlp.up_proj, llama.model.layers[1].mlp):
        handle = module.register_forward_hook(lambda module, args, output: output * 0.0)
        try:
            assert fast_path_reason(llama) is None and module not in decoders._SlotDecoder(llama, slots, 8).packed
            hooked = generate_tokens(llama, prompts, [0] * 20, GREEDY, [999], batch_size=slots)
            assert hooked != plain
            assert hooked == generate_tokens(llama, prompts, [0] * 20, GREEDY, [999], batch_size=slots, engine="generic")
        finally:
            handle.remove()


# --- keys that must never change (samples already cached are found by them) ----------------------


def test_model_fingerprints_and_seeds_keep_their_values():
    """Pinned digests: a refactor that changes one orphans every cached sample."""
    linear = torch.nn.Linear(4, 3)
    with torch.no_grad():
        linear.weight.copy_(torch.arange(12.0).view(3, 4))
        linear.bias.copy_(torch.tensor([1.0, -2.0, 0.5]))
    assert model_fingerprint(linear) == "061b1caf01d32c24d911299120554bca0daa04d532fa7022c522bd934e63cd59"
    assert (model_fingerprint("HuggingFaceTB/SmolLM2-135M-Instruct")
            == "c0be75b115b27c19b4cce1a6bd3b08af23b54d0a5b7cb6986390fdc473329ffb")
    assert sample_seed(7, [1, 2, 3, 250], 4) == 13497557568179060397


def test_sample_cache_keys_keep_their_values(llama, tokenizer, tmp_path, monkeypatch):
    """The key of each sample (model identity fixed here: the config dict moves with transformers)."""
    from em_utils.generation import samples

    monkeypatch.setattr(samples, "model_fingerprint", lambda model: "0" * 64)
    questions = ["Hello there?", Question(id="sys", paraphrases=("What now?", "And then?"), system="Be brief.")]
    sample_answers(llama, tokenizer, questions, 2, max_new_tokens=5, top_p=0.9, seed=11, cache=tmp_path / "s.jsonl",
                   progress=False)
    keys = [json.loads(line)["key"] for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert keys == [
        "dbaae0421c3d00c94f3680b7115e80ba1cca5b018dd00355828112658a3d857c",
        "728d8c0aaf4a1c2ea9c12d35ea22c32ae30a36f68f41d892a1f55b2e7da9b1f9",
        "103362b63d2135dc1f11a6d65418dfe4192230a3ba40d0f64d08edf0d61fa6bf",
        "d0f31f091a0560d0f6875e6c30f2323862b614f26719e5b7c72cfbf391cf49a9",
        "14709d084ce76fb05806c6b4c442a5888d26461429ff856f22612b9c74a8b22e",
        "db5685dda7de19562a0246e30d018e594713047978e50fefca1d23c39abe6b69",
    ]



def test_an_old_sample_cache_file_is_used_as_it_is(llama, tokenizer, tmp_path, monkeypatch):
    """A line as the sample cache wrote it before ``em_utils.cache`` (see tests/unit/test_cache.py)."""
    from em_utils.generation import samples

    monkeypatch.setattr(samples, "model_fingerprint", lambda model: "0" * 64)
    path = tmp_path / "s.jsonl"
    path.write_text('{"key": "dbaae0421c3d00c94f3680b7115e80ba1cca5b018dd00355828112658a3d857c", '
                    '"answer": "from the old file", "n_new_tokens": 5, "finished": true}\n', encoding="utf-8")
    frame = sample_answers(llama, tokenizer, ["Hello there?"], 2, max_new_tokens=5, top_p=0.9, seed=11, cache=path,
                           progress=False)
    assert frame.attrs["n_cached"] == 1 and frame.attrs["n_sampled"] == 1
    old = frame[frame.answer == "from the old file"]
    assert len(old) == 1 and old.n_new_tokens.item() == 5 and old.finished.item()

def test_vllm_adapter_ids_and_identities_keep_their_values(tmp_path):
    from em_utils.generation.backends import _lora_request_id, _vllm_identity

    (tmp_path / "adapter_config.json").write_text('{"r": 1}')
    (tmp_path / "adapter_model.safetensors").write_bytes(bytes(range(256)))
    name, number = _lora_request_id(tmp_path)
    assert (name, number) == (f"{tmp_path.name}-2275d90e5614", 36134289)
    assert _vllm_identity("some/model", tmp_path) == "5ced7b72e59c34a6d88c74cc5b875be731b59aa84a6d4b99f38d6a54ef318532"


def test_a_bf16_decode_multiplies_the_projections_in_bf16_and_keeps_fp32_keys(model, tokenizer, tmp_path):
    """bf16 decode: bf16 copies of every plain projection (none packed), logits within bf16 rounding of fp32's,
    mostly the same greedy tokens, and samples cached under their own key (fp32 keys unchanged)."""
    from em_utils.generation import decoder as decoders

    prompts = _prompts(6, seed=9)
    fp32 = decoders._SlotDecoder(model, 4, 64)
    half = decoders._SlotDecoder(model, 4, 64, precision="bf16")
    assert half.packed == {} and len(half.half) == 1 + 7 * model.config.num_hidden_layers
    assert all(w.dtype == torch.bfloat16 for w, _ in half.half.values())
    with torch.inference_mode():
        _, exact = fp32.prefill(prompts[:3])
        _, rounded = half.prefill(prompts[:3])
    assert rounded.dtype == torch.float32
    assert float((rounded - exact).abs().max()) < 0.05 * float(exact.abs().max())  # rounding, not another model
    greedy32 = generate_tokens(model, prompts, [0] * 6, GREEDY, [999])
    greedy16 = generate_tokens(model, prompts, [0] * 6, GREEDY, [999], precision="bf16")
    same = sum(a == b for (x, _), (y, _) in zip(greedy32, greedy16) for a, b in zip(x, y)) / (6 * 24)
    assert same > 0.5, same
    generic16 = generate_tokens(model, prompts, [0] * 6, GREEDY, [999], precision="bf16", engine="generic")
    assert all(len(tokens) == 24 for tokens, _ in generic16)  # the generic loop under autocast
    with pytest.raises(ValueError, match="precision must be fp32 or bf16"):
        generate_tokens(model, prompts, [0] * 6, GREEDY, [999], precision="auto")

    cache = tmp_path / "s.jsonl"
    ask = dict(max_new_tokens=6, seed=2, cache=cache, progress=False)
    plain = sample_answers(model, tokenizer, ["Hi?", "Why?"], 2, **ask)
    assert sample_answers(model, tokenizer, ["Hi?", "Why?"], 2, precision="fp32", **ask).attrs["n_cached"] == 4
    half_frame = sample_answers(model, tokenizer, ["Hi?", "Why?"], 2, precision="bf16", **ask)
    assert half_frame.attrs["n_cached"] == 0 and half_frame.attrs["precision"] == "bf16"
    assert sample_answers(model, tokenizer, ["Hi?", "Why?"], 2, precision="bf16", **ask).attrs["n_cached"] == 4
    assert plain.attrs["precision"] == "fp32"
