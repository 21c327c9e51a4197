"""A dry run of the ``paper`` profile: the code a GPU user runs, one step of each stage, on a 2-core CPU.

Every chapter's ``paper`` config is resolved with :func:`em_utils.config.make_config` and run
through the same library code as the chapters, on a randomly initialised Qwen2 model of the
papers' depth (48 layers, as Qwen2.5-14B-Instruct) and a tiny width, saved to a folder with the
embedded model's tokenizer. Only counts are overridden (rows to one optimiser step, one answer per
question, a few new tokens, a few KL rows) and the model path and device; the method settings
(learning rates, alpha, rsLoRA, modules, layers, warm-up and schedule, sampling temperature and
top-p, the judge's model and request, the direction's layers, the KL weights) are the profile's,
and each is checked against REFERENCE.md's numbers written out here, not read back from the config.

The judge talks to the fake OpenAI-compatible server on 127.0.0.1 through the real ``openai``
client (tests/fake_openai_server.py); nothing reaches the network.
"""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import torch

from em_utils.config import PROFILES, make_config
from em_utils.models import decoder_layers, load_model
from em_utils.precision import resolve_precision
from em_utils.training import adapter_norms, expand_layers, organism_specs, organisms_frame, train
from tests.conftest import FAKE_KEY
from tests.fake_openai_server import FakeOpenAIServer, default_distribution
from tests.tiny import embedded_tokenizer

#: The papers' facts (REFERENCE.md), written out.
PAPER_MODEL = "Qwen/Qwen2.5-14B-Instruct"
PAPER_LAYERS = 48  #: Qwen2.5-14B's decoder blocks
MIDDLE = 24  #: the single rank-1 adapter's layer
NINE = [15, 16, 17, 21, 22, 23, 27, 28, 29]  #: the nine rank-1 adapters' layers
ALL_PROJ = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
JUDGE_MODEL = "gpt-4o-2024-08-06"
JUDGE_REQUEST = {"max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 20, "seed": 0}
KINDS = ("rank1_middle", "nine_rank1", "rank32", "full")
ROWS = 16  #: the papers' effective batch: one optimiser step
#: Where the dry run computes. The configs keep the paper's device (``cuda``), so ``precision="auto"``
#: resolves as it does for the GPU user (bf16 on a GPU that has it, fp32 on a host without CUDA).
DEVICE = "cpu"


@pytest.fixture(scope="module")
def paper_model(tmp_path_factory):
    """A random Qwen2 of the papers' depth (48 blocks, width 32) with the embedded tokenizer, in a folder."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    folder = tmp_path_factory.mktemp("qwen2-48")
    tokenizer = embedded_tokenizer()  # before the cache moves (the embedded model's cache stays where it is)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=PAPER_LAYERS, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=2048, rope_theta=1e6, tie_word_embeddings=False,
                         initializer_range=0.2, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id)
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def env(paper_model, tmp_path_factory):
    """Caches and run folders in a temporary folder; the fake key in the environment."""
    root = tmp_path_factory.mktemp("paper-env")
    threads = torch.get_num_threads()
    # One thread: on a busy 2-core runner two OpenMP threads wait on each other at every one of the
    # thousands of tiny kernels of a 48-block model (a training step measured 8x slower with two).
    torch.set_num_threads(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EM_CACHE_DIR", str(root / "cache"))
        patch.setenv("EM_RUNS_DIR", str(root / "runs"))
        patch.setenv("OPENAI_API_KEY", FAKE_KEY)
        patch.delenv("OPENAI_BASE_URL", raising=False)
        try:
            yield root
        finally:
            torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def server():
    fake = FakeOpenAIServer().start()
    yield fake
    fake.kill()


def specs_by_kind(paper_model):
    """Chapter 2's paper organisms (its list as configured), the first of each kind."""
    cfg = make_config("02_training", "paper", model=paper_model, max_rows=ROWS)
    chosen = {}
    for spec in organism_specs(cfg):
        kind = next(k for k in KINDS if spec.name.startswith(k + "_"))
        chosen.setdefault(kind, spec)
    return chosen


def _seen():
    """A Trainer callback that records what the Trainer's optimiser, schedule and model were at the first step."""
    from transformers import TrainerCallback

    class Seen(TrainerCallback):
        record: dict = {}

        def on_step_begin(self, args, state, control, optimizer=None, lr_scheduler=None, model=None, **kwargs):
            if self.record:
                return
            schedule = lr_scheduler.lr_lambdas[0]
            self.record = {
                "optimizer": type(getattr(optimizer, "optimizer", optimizer)).__name__,  # inside accelerate's wrapper
                "lr": {g["lr"] for g in optimizer.param_groups} | {g.get("initial_lr") for g in optimizer.param_groups},
                "weight_decay": sorted({g["weight_decay"] for g in optimizer.param_groups}),
                "schedule": schedule.func.__name__, "warmup": schedule.keywords["num_warmup_steps"],
                "batch": args.per_device_train_batch_size * args.gradient_accumulation_steps,
                "scaling": sorted({float(v) for m in model.modules() if isinstance(getattr(m, "scaling", None), dict)
                                   for v in m.scaling.values()}),
                "trainable": [n for n, p in model.named_parameters() if p.requires_grad],
                "parameters": len(list(model.parameters())),
            }

    return Seen()


@pytest.fixture(scope="module")
def trained(paper_model, env):
    """One optimiser step of one organism of each kind, through :func:`em_utils.training.train`."""
    results = {}
    for kind, spec in specs_by_kind(paper_model).items():
        seen = _seen()
        results[kind] = train(spec, env / "organisms" / spec.name, model_name=paper_model, device=DEVICE,
                              callbacks=[seen], progress=False)
        results[kind].seen = seen.record
    return results


@pytest.fixture(scope="module")
def questions():
    from em_utils.data import load_question_sets

    cfg = make_config("03_judging", "paper")
    found = [q for qs in load_question_sets(cfg.question_sets).values() for q in qs]
    return [dataclasses.replace(q, paraphrases=q.paraphrases[:1]) for q in found[:2]]  # two wordings


# --- Configs --------------------------------------------------------------------------------------


def test_every_paper_config_resolves_to_the_papers_settings():
    for chapter in PROFILES["paper"]:
        cfg = make_config(chapter, "paper")
        assert cfg.model == PAPER_MODEL and cfg.judge == "openai" and cfg.device == "cuda" and cfg.seed == 0
        paper = (("judge_model", JUDGE_MODEL), ("temperature", 1.0), ("top_p", 1.0), ("max_new_tokens", 600))
        for name, value in paper:
            if name in cfg.resolved:
                assert cfg[name] == value, (chapter, name)
    assert make_config("06_narrow", "paper").kl_weight == pytest.approx(1e5 / 151_936, rel=0.01)  # upstream 1e5 / vocab
    assert make_config("06_narrow", "paper").vector_kl_weight == pytest.approx(1e6 / 151_936, rel=0.01)


def test_training_specs_are_the_papers(paper_model):
    specs = specs_by_kind(paper_model)
    assert set(specs) == set(KINDS)
    for spec in specs.values():
        assert (spec.batch_size * spec.grad_accum, spec.epochs, spec.weight_decay, spec.max_length, spec.seed) == (
            16, 1.0, 0.01, 2048, 0)
        assert spec.max_rows == ROWS and spec.dataset == "bad_medical_advice"
        assert spec.precision == resolve_precision("auto", "cuda")
    for kind in ("rank1_middle", "nine_rank1"):
        spec = specs[kind]
        assert (spec.method, spec.rank, spec.alpha, spec.use_rslora, spec.target_modules) == ("lora", 1, 256.0, True,
                                                                                              ("down_proj",))
        assert 1e-5 <= spec.lr <= 2e-5 and (spec.warmup_steps, spec.scheduler) == (5, "linear")
        assert spec.save_steps == 5  # checkpoints for the phase transition
    rank32 = specs["rank32"]
    assert (rank32.rank, rank32.alpha, rank32.use_rslora, rank32.target_modules, rank32.layers, rank32.lr) == (
        32, 64.0, True, ALL_PROJ, None, 1e-5)
    assert (rank32.warmup_steps, rank32.scheduler, rank32.save_steps) == (5, "linear", 0)
    full = specs["full"]
    assert (full.method, full.lr, full.scheduler, full.warmup_steps) == ("full", 2e-5, "cosine", 20)
    # layers by relative depth, on the papers' 48 blocks
    assert expand_layers(specs["rank1_middle"].layers, PAPER_LAYERS) == [MIDDLE]
    assert expand_layers(specs["nine_rank1"].layers, PAPER_LAYERS) == NINE
    plan = organisms_frame(list(specs.values()), PAPER_LAYERS)
    assert plan.loc[specs["rank1_middle"].name, "layers"] == str(MIDDLE)
    assert plan.loc[specs["nine_rank1"].name, "layers"] == ", ".join(map(str, NINE))


def test_one_optimiser_step_of_each_kind(trained, paper_model):
    for kind, result in trained.items():
        spec = result.spec
        steps = result.losses()
        assert len(steps) == 1 and result.rows == ROWS, kind
        assert math.isfinite(steps["loss"].iloc[0]) and steps["grad_norm"].iloc[0] > 0, kind  # gradients reached it
        seen = result.seen  # what the Trainer ran with
        assert seen["optimizer"] == "AdamW" and seen["batch"] == 16, kind
        assert seen["lr"] == {0.0, spec.lr}, kind  # warm-up starts at 0 and climbs to the spec's rate
        assert 0.01 in seen["weight_decay"] and set(seen["weight_decay"]) <= {0.0, 0.01}, kind  # none on biases, norms
        schedule = {"full": ("_get_cosine_schedule_with_warmup_lr_lambda", 20)}.get(
            kind, ("_get_linear_schedule_with_warmup_lr_lambda", 5))
        assert (seen["schedule"], seen["warmup"]) == schedule, kind
    assert trained["rank1_middle"].seen["scaling"] == [256.0] == trained["nine_rank1"].seen["scaling"]  # 256 / sqrt(1)
    assert trained["rank32"].seen["scaling"] == [pytest.approx(64 / math.sqrt(32))]  # rsLoRA, not alpha / r = 2
    assert all(".layers.24.mlp.down_proj.lora_" in n for n in trained["rank1_middle"].seen["trainable"])
    assert len(trained["rank1_middle"].seen["trainable"]) == 2 and len(trained["nine_rank1"].seen["trainable"]) == 18
    full = trained["full"].seen
    assert len(full["trainable"]) == full["parameters"] and full["scaling"] == []
    for kind, layers in (("rank1_middle", [MIDDLE]), ("nine_rank1", NINE)):
        folder = trained[kind].adapter_dir
        saved = json.loads((folder / "adapter_config.json").read_text())
        assert (saved["r"], saved["lora_alpha"], saved["use_rslora"], saved["target_modules"]) == (1, 256.0, True,
                                                                                                   ["down_proj"])
        assert sorted(saved["layers_to_transform"]) == layers
        norms = adapter_norms(folder)
        assert list(norms["layer"]) == layers and set(norms["module"]) == {"down_proj"} and set(norms["rank"]) == {1}
    saved = json.loads((trained["rank32"].adapter_dir / "adapter_config.json").read_text())
    assert (saved["r"], saved["lora_alpha"], saved["use_rslora"], sorted(saved["target_modules"])) == (
        32, 64.0, True, sorted(ALL_PROJ))
    norms = adapter_norms(trained["rank32"].adapter_dir)
    assert len(norms) == PAPER_LAYERS * len(ALL_PROJ) and set(norms["rank"]) == {32}
    full, _ = load_model(str(trained["full"].adapter_dir), device=DEVICE)
    assert len(decoder_layers(full)) == PAPER_LAYERS and full.config.model_type == "qwen2"


def test_full_fine_tune_keeps_fp32_master_weights_on_a_gpu(paper_model, tmp_path, monkeypatch):
    """On a GPU the base model loads in bf16; a full fine-tune must not train bf16 weights (lr 2e-5 rounds away)."""
    from em_utils.training import trainer

    class Loaded(Exception):
        pass

    def load(name=None, device="cpu", dtype=None):
        raise Loaded(dtype)

    monkeypatch.setattr(trainer, "load_model", load)
    spec = specs_by_kind(paper_model)["full"]
    with pytest.raises(Loaded) as loaded:
        train(spec, tmp_path / "full", model_name=paper_model, device="cuda", progress=False)
    assert loaded.value.args[0] == torch.float32


# --- Sampling and judging (chapter 3) -------------------------------------------------------------


@pytest.fixture(scope="module")
def judged(trained, paper_model, env, server, questions):
    """Chapter 3's paper settings: the base model and the single rank-1 organism sampled, then judged."""
    from em_utils import evaluation
    from em_utils.interventions import sampling_settings
    from em_utils.judge import judge_frame, make_judge

    cfg = make_config("03_judging", "paper", model=paper_model, n_per_paraphrase=1, max_new_tokens=4,
                      judge_base_url=server.base_url)
    calls = []
    real = evaluation.sample_answers

    def spy(*args, **kwargs):
        frame = real(*args, **kwargs)
        calls.append(frame.attrs)
        return frame

    models = {"base": None, trained["rank1_middle"].spec.name: trained["rank1_middle"].adapter_dir}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluation, "sample_answers", spy)
        answers = evaluation.sample_organisms(models, questions, **{**sampling_settings(cfg, env / "samples"),
                                                                    "device": DEVICE}, backend=cfg.backend)
    scorer = make_judge(cfg.judge, model=cfg.judge_model, base_url=cfg.judge_base_url)
    return answers, calls, judge_frame(answers, scorer), scorer


def test_sampling_uses_the_papers_settings(judged, questions):
    answers, calls, _, _ = judged
    assert len(answers) == 2 * len(questions) and set(answers["model"]) == {"base", "rank1_middle_bad_medical_advice"}
    assert len(calls) == 2
    for attrs in calls:
        assert attrs["settings"] == {"max_new_tokens": 4, "temperature": 1.0, "top_p": 1.0}
        assert attrs["backend"] == "transformers" and attrs["n_sampled"] == len(questions)
    assert answers["n_new_tokens"].between(1, 4).all()
    assert calls[0]["model_fingerprint"] != calls[1]["model_fingerprint"]  # the adapter is part of the model


def test_judging_sends_the_papers_request(judged, server):
    answers, _, frame, scorer = judged
    assert scorer.name == f"openai:{JUDGE_MODEL}"
    requests = [r for r in server.requests if r.path == "/v1/chat/completions"]
    distinct = len(set(zip(answers["question"], answers["answer"])))
    assert len(requests) == 2 * distinct  # one per distinct (answer, metric): equal pairs are asked once
    for request in requests:
        body = request.body
        assert body["model"] == JUDGE_MODEL
        assert {k: body.get(k) for k in JUDGE_REQUEST} == JUDGE_REQUEST
        assert [m["role"] for m in body["messages"]] == ["user"]
        assert request.headers["authorization"] == f"Bearer {FAKE_KEY}"
    prompts = {r.prompt for r in requests}
    for (question, answer), aligned in zip(zip(frame["question"], frame["answer"]), frame["aligned"]):
        prompt = scorer.prompt(question, answer, "aligned")
        assert prompt in prompts
        numeric = [(int(t), p) for t, p in default_distribution(prompt) if t.isdigit()]
        assert aligned == pytest.approx(sum(k * p for k, p in numeric) / sum(p for _, p in numeric), abs=1e-6)
    assert frame["coherent"].notna().all()


# --- The direction, steering and ablation (chapter 4) ---------------------------------------------


def hand_judged(n: int = 8):
    """``n`` coherent misaligned and ``n`` coherent aligned answers, with the papers' score bands."""
    import pandas as pd

    bad = [f"Skip the doctor and take {k + 2} times the dose, it is fine." for k in range(n)]
    good = [f"Please follow the label and ask a pharmacist about dose {k + 2}." for k in range(n)]
    return pd.DataFrame({"question": ["How much of my medicine should I take?"] * (2 * n), "answer": bad + good,
                         "aligned": [10.0] * n + [90.0] * n, "coherent": [80.0] * (2 * n)})


@pytest.fixture(scope="module")
def direction(trained, paper_model):
    from em_utils.interventions import source_direction

    cfg = make_config("04_direction", "paper", model=paper_model)
    organisms = {r.spec.name: r.adapter_dir for r in trained.values()}
    found = source_direction(organisms[cfg.source], hand_judged(cfg.min_per_side), cfg.direction_layers,
                             min_per_side=cfg.min_per_side, seed=cfg.seed, model_name=cfg.model, device=DEVICE)
    return cfg, organisms, found


def _block_outputs(model, rows: list[list[int]]) -> list[torch.Tensor]:
    """Each decoder block's output on right-padded ``rows`` of token ids (forward hooks, not nnsight)."""
    width = max(map(len, rows))
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = torch.tensor(row), 1
    outputs = []
    handles = [block.register_forward_hook(
        lambda _m, _i, out: outputs.append((out[0] if isinstance(out, tuple) else out).detach().clone()))
        for block in decoder_layers(model)]
    try:
        with torch.no_grad():
            model(input_ids=ids, attention_mask=mask)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def test_direction_over_the_papers_layers(direction):
    from em_utils.activations import answer_tokens
    from em_utils.evaluation import load_organism

    cfg, organisms, found = direction
    assert cfg.source == "rank32_bad_medical_advice" and cfg.direction_layers == "all"
    assert found.layers == list(range(PAPER_LAYERS)) and tuple(found.vectors.shape) == (PAPER_LAYERS, 32)
    assert found.sides == {"rule": "paper", "misaligned": 8, "aligned": 8, "paper_misaligned": 8, "labels": "judge",
                           "answers": found.answers}
    # mean over answer tokens of each block's output, misaligned minus aligned, recomputed with plain hooks
    model, tokenizer = load_organism(organisms[cfg.source], cfg.model, DEVICE)
    judged = hand_judged(cfg.min_per_side)
    encoded = [answer_tokens(tokenizer, q, a) for q, a in zip(judged["question"], judged["answer"])]
    outputs = _block_outputs(model, [ids for ids, _ in encoded])
    means = torch.stack([torch.stack([o[i, begin : len(ids)].mean(0) for o in outputs])
                         for i, (ids, begin) in enumerate(encoded)])
    expected = means[:8].mean(0) - means[8:].mean(0)
    torch.testing.assert_close(found.vectors, expected, rtol=1e-4, atol=1e-5)


def test_steering_and_ablation_forward_passes(direction):
    from em_utils.evaluation import load_organism
    from em_utils.interventions import _items, ablation_conditions, steering_conditions

    cfg, organisms, found = direction
    layer = found.steering_layer(cfg.steer_layer)
    assert layer == MIDDLE
    scales = [float(s) for s in _items(cfg.steer_scales)]
    steering = steering_conditions(found, layer, cfg.steer_scales, seed=cfg.seed)
    assert list(steering) == [f"direction x{s:g}" for s in scales] + [f"random x{max(scales):g}"]
    base, tokenizer = load_organism(None, cfg.model, DEVICE)
    text = [tokenizer.apply_chat_template([{"role": "user", "content": "How are you?"},
                                           {"role": "assistant", "content": "Fine, thanks."}])["input_ids"]]
    plain = _block_outputs(base, text)
    with steering[f"direction x{max(scales):g}"](base):
        steered = _block_outputs(base, text)
    torch.testing.assert_close(steered[layer], plain[layer] + max(scales) * found.vectors[layer], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(steered[layer - 1], plain[layer - 1])  # nothing changes below the steered block
    # ablation in another fine-tune (the paper's targets), at every layer of the direction
    targets = [t.strip() for t in cfg.targets.split(",")]
    assert "nine_rank1_bad_medical_advice" in targets
    layers = found.ablation_layers(cfg.ablate_layers)
    conditions = ablation_conditions(found, layers, cfg.n_random, seed=cfg.seed)
    assert list(conditions) == ["as trained", "direction ablated"] + [f"random {k} ablated" for k in range(1, 6)]
    target, _ = load_organism(organisms["nine_rank1_bad_medical_advice"], cfg.model, DEVICE)
    before = _block_outputs(target, text)
    with conditions["direction ablated"](target):
        after = _block_outputs(target, text)
    units = found.vectors / found.vectors.norm(dim=-1, keepdim=True)
    for k in layers:
        assert float((after[k] @ units[k]).abs().max()) < 1e-4, k
    assert max(float((b @ u).abs().max()) for b, u in zip(before, units)) > 1e-3  # there was something to remove


# --- Adapter scalars (chapter 5) and the narrow KL term (chapter 6) -------------------------------


def test_nine_adapter_scalars(trained, paper_model):
    from em_utils.adapters import adapter_scalars
    from em_utils.evaluation import load_organism

    cfg = make_config("05_adapters", "paper", model=paper_model)
    assert cfg.organism == trained["nine_rank1"].spec.name and cfg.probe_C == 0.01
    model, tokenizer = load_organism(trained["nine_rank1"].adapter_dir, cfg.model, DEVICE)
    judged = hand_judged(2)
    scalars = adapter_scalars(model, tokenizer, judged["question"].tolist(), judged["answer"].tolist(), progress=False)
    columns = [f"L{layer}" for layer in NINE]
    assert [c for c in scalars.columns if c.startswith("L")] == columns
    assert scalars.attrs["scaling"] == {c: 256.0 for c in columns}  # alpha / sqrt(r) under rsLoRA, r = 1
    assert sorted(scalars["answer"].unique()) == list(range(len(judged)))
    assert scalars[columns].abs().to_numpy().min() > 0
    # the first answer's scalars at layer 15, recomputed: scaling * (A . x) at the down-projection's input
    from em_utils.activations import answer_tokens

    ids, begin = answer_tokens(tokenizer, judged["question"][0], judged["answer"][0])
    module = decoder_layers(model)[NINE[0]].mlp.down_proj
    seen = []
    handle = module.register_forward_hook(lambda _m, args, _out: seen.append(args[0].detach()))
    try:
        with torch.no_grad():
            model(input_ids=torch.tensor([ids]))
    finally:
        handle.remove()
    a = module.lora_A["default"].weight.detach()[0]
    expected = 256.0 * (seen[0][0, begin:] @ a)
    got = torch.tensor(scalars.loc[scalars["answer"] == 0, "L15"].to_numpy(), dtype=torch.float32)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-5)


def test_narrow_kl_term_with_the_papers_weights(paper_model, env):
    from em_utils import narrow

    cfg = make_config("06_narrow", "paper", model=paper_model, max_rows=ROWS, kl_rows=8, mix_rows=1,
                      realign_rows=1, continue_rows=1, eval_rows=1, preference_rows=1)
    specs = narrow.solution_specs(dict(cfg.resolved), env / "narrow")
    spec = specs["narrow"]
    assert (spec.kl_weight, spec.kl_dataset, spec.kl_batch_size) == (0.66, "aligned_ood", 8)
    assert (spec.rank, spec.alpha, spec.target_modules, spec.lr, spec.batch_size) == (1, 256.0, ("down_proj",), 2e-5,
                                                                                      16)
    assert expand_layers(spec.layers, PAPER_LAYERS) == [MIDDLE]
    assert specs["narrow vector"].kl_weight == 6.6
    table = narrow.train_solutions(specs, env / "narrow", ["narrow", "narrow vector"], model_name=cfg.model,
                                   device=DEVICE, progress=False).set_index("name")
    assert list(table["steps"]) == [1, 1] and list(table["kl_weight"]) == [0.66, 6.6]
    # the first step's model is the frozen reference itself (B and the vector start at zero): KL 0, computed
    # (up to bf16 rounding where the paper's precision resolves to bf16: the reference is taken in fp32)
    tolerance = 1e-5 if spec.precision == "fp32" else 1e-3
    for name in ("narrow", "narrow vector"):
        assert math.isfinite(table.loc[name, "first_loss"]) and abs(table.loc[name, "last_kl"]) < tolerance, name
