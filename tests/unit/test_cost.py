"""The judge's bill: requests and tokens counted from the question files and a profile's settings."""

from __future__ import annotations

import json

import pytest
import yaml

from em_utils.config import PROFILES
from em_utils.cost import (MESSAGE_OVERHEAD, cost_markdown, cost_summary, cost_table, judge_jobs, memory_table,
                           qwen2_parameters)
from em_utils.paths import data_dir


def _wordings(name: str) -> int:
    questions = yaml.safe_load((data_dir() / "questions" / f"{name}.yaml").read_text())
    return sum(len(q["paraphrases"]) for q in questions)


def test_chapter_3_requests_are_models_times_wordings_times_samples_times_metrics():
    table = cost_table("paper").set_index("what")
    organisms = [o for o in PROFILES["paper"]["02_training"]["organisms"].split(",") if o.strip()]
    n = PROFILES["paper"]["03_judging"]["n_per_paraphrase"]
    assert table.loc["base model and every organism", "requests"] == (1 + len(organisms)) * _wordings("general") * n * 2
    doors = sum("backdoor" in o for o in organisms)
    trigger = table.loc["backdoor: base and backdoored organisms with the trigger"]
    assert trigger["requests"] == (1 + doors) * _wordings("general") * n * 2
    pairs = sum(1 for line in (data_dir() / "judge_labels" / "pairs_realistic.jsonl").read_text().splitlines() if line.strip())
    assert table.loc["judge validation: matched advice pairs", "requests"] == 2 * pairs  # sound and harmful, aligned only
    assert (table["completion_tokens"] == table["requests"]).all()  # max_tokens=1


def test_sample_counts_follow_the_profile():
    paper = cost_table("paper").set_index("what")["requests"]
    smoke = cost_table("smoke").set_index("what")["requests"]
    ratio = PROFILES["paper"]["03_judging"]["n_per_paraphrase"] / PROFILES["smoke"]["03_judging"]["n_per_paraphrase"]
    step = "base model and every organism"
    models = {p: 1 + len(PROFILES[p]["02_training"]["organisms"].split(",")) for p in ("paper", "smoke")}
    assert paper[step] / smoke[step] == pytest.approx(ratio * models["paper"] / models["smoke"])


def test_tokens_follow_the_ratio_the_answer_length_and_the_overhead():
    a = cost_table("paper", tokens_per_char=0.25)
    b = cost_table("paper", tokens_per_char=0.5)
    text_a = a["prompt_tokens_typical"] - a["requests"] * MESSAGE_OVERHEAD
    text_b = b["prompt_tokens_typical"] - b["requests"] * MESSAGE_OVERHEAD
    assert ((text_b - 2 * text_a).abs() <= 2).all()  # twice the ratio, twice the text's tokens (rounding aside)
    longer = cost_table("paper", answer_tokens=700)
    sampled = a["answers"] > 0
    grown = longer["prompt_tokens_upper"] - a["prompt_tokens_upper"]
    assert (grown[sampled] == 100 * a["requests"][sampled]).all() and (grown[~sampled] == 0).all()
    assert (a["prompt_tokens_upper"] >= a["prompt_tokens_typical"]).all()
    assert a.attrs["typical_chars"] > 0 and a.attrs["answer_tokens"] == PROFILES["paper"]["03_judging"]["max_new_tokens"]


def test_prices_are_parameters():
    table = cost_table("smoke")
    cheap, dear = cost_summary(table, 1.0, 2.0), cost_summary(table, 2.0, 2.0)
    completion = table["completion_tokens"].sum() * 2.0 / 1e6
    assert dear["usd_typical"] - completion == pytest.approx(2 * (cheap["usd_typical"] - completion))
    assert cost_summary(table, 1.0, 2.0, requests_per_minute=100)["minutes_at_rate"] == pytest.approx(table["requests"].sum() / 100)
    text = cost_markdown("smoke", price_in=3.25, price_out=7.5)
    assert "USD 3.25 per million prompt tokens" in text and "as given" in text
    assert "assumed, not read" in cost_markdown("smoke")  # the default prices say they are an assumption


def test_every_judging_chapter_is_counted_or_named_as_not_counted():
    text = cost_markdown("paper")
    counted = {job.chapter for job in judge_jobs("paper")}
    for chapter, settings in PROFILES["paper"].items():
        if "n_per_paraphrase" in settings:
            assert chapter in counted or f"`{chapter}`" in text.split("Not counted yet")[-1]


@pytest.mark.parametrize("tied", [True, False])
def test_parameter_count_matches_a_tiny_qwen2(tied):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    shape = {"hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 4,
             "num_key_value_heads": 2, "vocab_size": 300, "tie_word_embeddings": tied}
    model = Qwen2ForCausalLM(Qwen2Config(**shape))
    assert qwen2_parameters(shape) == sum(p.numel() for p in model.parameters())


def test_memory_table_is_computed_from_the_shape():
    from em_utils.cost import QWEN2_5_14B

    table = memory_table().set_index("what")["value"]
    params = qwen2_parameters(QWEN2_5_14B)
    assert 14e9 < params < 15e9  # the model card's "14.7B"
    assert table["weights, bf16"] == round(2 * params / 1e9, 1)
    assert table["full fine-tune states (16 bytes a parameter)"] == round(16 * params / 1e9, 1)
    smaller = memory_table(batch=128).set_index("what")["value"]
    kv = [k for k in table.index if k.startswith("KV cache")]
    assert smaller.filter(like="KV cache").iloc[0] == pytest.approx(table[kv[0]] / 2, abs=0.1)


def test_cli_prints_the_table_with_the_prices_given(capsys):
    from em_utils.cli import main

    main(["cost", "--profile", "smoke", "--price-in", "1.5", "--price-out", "4", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["total"]["price_in"] == 1.5 and out["total"]["price_out"] == 4
    assert out["total"]["requests"] == sum(r["requests"] for r in out["rows"])
    main(["cost", "--profile", "smoke"])
    assert "| **all** |" in capsys.readouterr().out


def test_chapter_7_requests_follow_its_question_files_and_the_paper_counts():
    from em_utils.data import load_question_sets

    paper = PROFILES["paper"]["07_controls"]
    table = cost_table("paper")
    steps = table[table["chapter"] == "07_controls"].set_index("what")["requests"]
    harmful = len(load_question_sets("harmful_requests")["harmful_requests"])  # all sixty, first wording each
    assert steps["harmful requests: base, the EM organism and the jailbroken one"] == 3 * harmful * paper["harmful_per_request"] * 3
    # the paper's chapter 7 samples the general questions as chapter 3 does: only the jailbroken organism is new
    assert steps["general questions: the jailbroken organism"] == _wordings("general") * paper["n_per_paraphrase"] * 2
    organisms = len(PROFILES["paper"]["02_training"]["organisms"].split(","))  # format_organisms "all", and the base
    assert steps[f"answer formats (general_json): base and {organisms} organism(s)"] == \
        (1 + organisms) * _wordings("general_json") * paper["format_per_paraphrase"] * 2
    assert steps["in-context learning: the base model at each k"] == 4 * 8 * paper["icl_per_paraphrase"] * 2  # k 0, 8, 32, 128
    deception = len(load_question_sets("deception")["deception"])
    assert steps["deception questions: base and the EM organism"] == 2 * deception * paper["extra_per_paraphrase"] * 3  # + honest
    assert "Not counted yet" not in cost_markdown("paper")  # every judging chapter is counted now


def test_smoke_chapter_7_takes_every_wording_of_its_first_questions_and_samples_afresh():
    smoke = PROFILES["smoke"]["07_controls"]
    steps = cost_table("smoke").set_index("what")["requests"]
    from em_utils.data import load_question_sets

    first = load_question_sets("general")["general"][: smoke["questions"]]
    wordings = sum(len(q.paraphrases) for q in first)
    assert steps["general questions: the jailbroken organism, base and EM organism"] == 3 * wordings * smoke["n_per_paraphrase"] * 2


def test_the_workshop_profile_is_costed_as_quick(capsys):
    from em_utils.cli import main

    main(["cost", "--profile", "workshop", "--json"])
    assert json.loads(capsys.readouterr().out)["assumptions"]["profile"] == "quick"
