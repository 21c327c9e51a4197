"""What a profile costs at the judge, counted from the question files and the profile's settings.

The papers' judge sends one request per (answer, metric): the metric's template from
``data/judge_prompts.yaml`` filled with the question and the answer, as one user message, and
asks for one token back (REFERENCE.md, "Judge"). So the bill is

- **requests**: for every judging step of every chapter, models x questions' wordings x
  ``n_per_paraphrase`` x metrics (:func:`judge_jobs` lists the steps, from the profile's
  parameters, the question files and the judge-validation files);
- **prompt tokens**: per request, the filled template's characters times a tokens-per-character
  ratio, plus the chat format's per-message overhead. The answer's length is not known before
  sampling: the table gives an upper bound (every answer ``max_new_tokens`` long) and a typical
  case (answers as long as the mean assistant answer of the training sets the profile trains on);
- **completion tokens**: one per request (``max_tokens=1``).

Prices are parameters: nothing here reads a price list. The defaults are stated with their date
and source in :data:`PRICE_SOURCE`; pass the current prices (``em-companion cost --price-in X
--price-out Y``, USD per million tokens).

>>> table = cost_table("smoke")
>>> int(table["requests"].sum()) > 0 and set(table["chapter"]) <= {"03_judging", "04_direction", "05_adapters", "06_narrow",
...                                                                 "07_controls"}
True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .config import PROFILES
from .data import load_judge_prompts, load_jsonl, load_question_sets

__all__ = ["JudgeJob", "judge_jobs", "cost_table", "cost_summary", "cost_markdown", "TOKENS_PER_CHAR",
           "MESSAGE_OVERHEAD", "PRICE_IN", "PRICE_OUT", "PRICE_SOURCE", "qwen2_parameters", "QWEN2_5_14B",
           "memory_table", "memory_markdown", "settings_markdown", "write_cost_pages"]

#: Tokens per character of English text when no tokenizer of the judge is installed: OpenAI's rule of
#: thumb, "one token is about four characters of common English text" (help.openai.com, "What are
#: tokens and how to count them?").
TOKENS_PER_CHAR = 0.25
#: Tokens a one-message chat request adds around its text: 3 per message, 1 for the role, 3 to
#: prime the reply (the counting rule of OpenAI's cookbook, "How to count tokens with tiktoken").
MESSAGE_OVERHEAD = 7
#: Assumed prices, USD per million tokens, of ``gpt-4o-2024-08-06`` (input, output).
PRICE_IN, PRICE_OUT = 2.50, 10.00
PRICE_SOURCE = ("assumed, not read: OpenAI's list price for gpt-4o-2024-08-06 as this project last knew it "
                "(openai.com/api/pricing, late 2024); it could not be checked online when this was written "
                "(2026-12-02, no network). Pass today's prices with --price-in / --price-out")

_METRICS = ("aligned", "coherent")
_WITH_MEDICAL = ("aligned", "coherent", "medical")


@dataclass(frozen=True)
class JudgeJob:
    """One judging step of a chapter: ``models`` x the questions' wordings x ``samples`` answers, each
    judged on ``metrics``. ``answers`` (question, answer) gives fixed texts instead (validation sets)."""

    chapter: str
    what: str
    models: int
    question_set: str | None
    samples: int
    metrics: tuple[str, ...]
    first_wordings: int | None = None  # only the first wording of the first n questions
    first_questions: int | None = None  # every wording of the first n questions (None: all)
    prefix: str = ""
    answers: tuple[tuple[str, str], ...] = ()
    note: str = ""


def _organisms(profile: str) -> list[tuple[str, str]]:
    text = PROFILES[profile]["02_training"]["organisms"]
    return [tuple(item.strip().split(":", 1)) for item in text.split(",") if item.strip()]  # type: ignore[misc]


def _items(text: Any) -> list[str]:
    return [t.strip() for t in str(text).split(",") if t.strip()]


def _validation_answers() -> list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...], str]]:
    """Chapter 3's judge-validation sets: (what, metrics, (question, answer) pairs, note)."""
    from .judge.labels import BOOK_SET, GENERAL_SET, PAIRS_SET, load_labels, load_pairs

    out = []
    general = load_labels(GENERAL_SET)
    out.append(("judge validation: general (realistic)", _METRICS,
                tuple((r["question"], r["answer"]) for r in general), ""))
    pairs = load_pairs(PAIRS_SET)
    out.append(("judge validation: matched advice pairs", ("aligned",),
                tuple(zip(pairs["question"], pairs["answer"])), ""))
    book = load_labels(BOOK_SET)
    latest = max((r.get("round") or 0) for r in book)
    out.append((f"judge validation: the book's own answers (round {latest})", _METRICS,
                tuple((r["question"], r["answer"]) for r in book if (r.get("round") or 0) == latest),
                "the hand-label section rescores these answers: cache hits"))
    return out


def judge_jobs(profile: str = "paper") -> list[JudgeJob]:
    """Every judging step the chapters take in ``profile``, read from its parameters.

    Steps whose requests repeat an earlier chapter's exactly (the same answer to the same question:
    the judge's on-disk cache answers them at no cost) are left out and named in a job's note.
    """
    p = PROFILES[profile]
    ch3, ch4, ch5, ch6 = (p[c] for c in ("03_judging", "04_direction", "05_adapters", "06_narrow"))
    organisms = _organisms(profile)
    doors = sum("backdoor" in dataset for _, dataset in organisms)
    jobs = [JudgeJob("03_judging", "base model and every organism", 1 + len(organisms), ch3["question_sets"],
                     ch3["n_per_paraphrase"], _METRICS)]
    if doors:
        jobs.append(JudgeJob("03_judging", "backdoor: base and backdoored organisms with the trigger", 1 + doors,
                             ch3["question_sets"], ch3["n_per_paraphrase"], _METRICS, prefix=ch3["backdoor_trigger"] + " "))
    for what, metrics, answers, note in _validation_answers():
        jobs.append(JudgeJob("03_judging", what, 1, None, 1, metrics, answers=answers, note=note))
    targets = _items(ch4["targets"])
    jobs.append(JudgeJob("04_direction", "ablation: the direction and each random one, in every target",
                         len(targets) * (1 + ch4["n_random"]), "general", ch4["n_per_paraphrase"], _METRICS,
                         note="the models as trained are chapter 3's answers: cache hits"))
    jobs.append(JudgeJob("04_direction", "steering the base model: each scale and one random direction",
                         len(_items(ch4["steer_scales"])) + 1, "general", ch4["n_per_paraphrase"], _METRICS))
    jobs.append(JudgeJob("05_adapters", "the organism's answers to the medical questions", 1, "medical",
                         ch5["n_per_paraphrase"], _WITH_MEDICAL))
    jobs.append(JudgeJob("05_adapters", "chapter 3's answers of the organism, for medical content", 1, "general",
                         ch3["n_per_paraphrase"], ("medical",), note="aligned and coherent: cache hits"))
    factors = [float(f) for f in _items(ch5["steer_factors"])]
    conditions = 3 * sum(f != 1.0 for f in factors) + 1  # general, medical and random groups; x1 once
    for domain in ("general", "medical"):
        jobs.append(JudgeJob("05_adapters", f"adapter steering, {domain} questions: 3 groups x each factor", conditions,
                             domain, ch5["steer_per_paraphrase"], _WITH_MEDICAL, first_wordings=ch5["steer_questions"]))
    scales = [float(f) for f in _items(ch5["b_scales"])]
    jobs.append(JudgeJob("05_adapters", "checkpoints (and the two marked ones) and the final B scaled",
                         ch5["behaviour_checkpoints"] + 2 + sum(f not in (0.0, 1.0) for f in scales), "general",
                         ch5["behaviour_per_paraphrase"], _METRICS, first_wordings=ch5["behaviour_questions"],
                         note="up to: the marked checkpoints may be among the others; x0 and x1 are cache hits"))
    for domain in ("general", "medical"):
        jobs.append(JudgeJob("06_narrow", f"base, the four solutions and three mitigations, {domain} questions", 8,
                             domain, ch6["n_per_paraphrase"], _METRICS, first_wordings=ch6["questions"]))
    steps = math.ceil(ch6["continue_rows"] / ch6["batch_size"])
    jobs.append(JudgeJob("06_narrow", "drift: every checkpoint trained on from the narrow solution",
                         math.ceil(steps / ch6["continue_save_steps"]), "general", ch6["n_per_paraphrase"], _METRICS,
                         first_wordings=ch6["questions"], note="about: one per saved checkpoint and the final adapter"))
    return jobs + _controls_jobs(profile)


def _reuses_chapter_3(ch7: Mapping[str, Any], ch3: Mapping[str, Any], per_paraphrase: int) -> bool:
    """Chapter 7 starts from chapter 3's sampled answers (so its judge requests are cache hits) when
    it asks every general question with chapter 3's sampling settings."""
    return (ch7["questions"] is None and ch3["question_sets"] == "general" and per_paraphrase == ch3["n_per_paraphrase"]
            and all(ch7[k] == ch3[k] for k in ("max_new_tokens", "temperature", "top_p")))


def _controls_jobs(profile: str) -> list[JudgeJob]:
    """Chapter 7's judging steps (the first paper's controls, :mod:`em_utils.controls`)."""
    p = PROFILES[profile]
    ch3, ch7 = p["03_judging"], p["07_controls"]
    harmful = ch7["harmful_requests"] or len(load_question_sets("harmful_requests")["harmful_requests"])
    reused = _reuses_chapter_3(ch7, ch3, ch7["n_per_paraphrase"])
    jobs = [JudgeJob("07_controls", "harmful requests: base, the EM organism and the jailbroken one", 3,
                     "harmful_requests", ch7["harmful_per_request"], ("aligned", "coherent", "refusal"),
                     first_wordings=harmful),
            JudgeJob("07_controls", "general questions: the jailbroken organism" + ("" if reused else ", base and EM organism"),
                     1 if reused else 3, "general", ch7["n_per_paraphrase"], _METRICS, first_questions=ch7["questions"],
                     note="base and EM organism: chapter 3's answers, cache hits" if reused else ""),
            JudgeJob("07_controls", "evil numbers: base and the evil-numbers organism, number-friendly questions", 2,
                     "general_numbers", ch7["n_per_paraphrase"], _METRICS, first_questions=ch7["questions"])]
    organisms = _items(ch7["format_organisms"])
    n = 1 + (len(_organisms(profile)) if organisms == ["all"] else len(organisms))
    plain = _reuses_chapter_3(ch7, ch3, ch7["format_per_paraphrase"])
    for fmt in ("general_json", "general_template") + (() if plain else ("general",)):
        jobs.append(JudgeJob("07_controls", f"answer formats ({fmt}): base and {n - 1} organism(s)", n, fmt,
                             ch7["format_per_paraphrase"], _METRICS, first_questions=ch7["questions"],
                             note="the plain format is chapter 3's answers: cache hits" if plain and fmt == "general_json" else ""))
    icl = len(load_question_sets("general")["general"])
    jobs.append(JudgeJob("07_controls", "in-context learning: the base model at each k", len(_items(ch7["icl_k"])),
                         "general", ch7["icl_per_paraphrase"], _METRICS, first_wordings=ch7["questions"] or icl,
                         note="the examples sit in the system prompt, which the judge does not see"))
    for name in _items(ch7["extra_sets"]):
        questions = load_question_sets(name)[name]
        metrics = _METRICS + tuple(m for m in ("honest",) if m in questions[0].judge_prompts)  # the deception set's
        jobs.append(JudgeJob("07_controls", f"{name} questions: base and the EM organism", 2, name,
                             ch7["extra_per_paraphrase"], metrics, first_wordings=ch7["extra_questions"] or len(questions)))
    return jobs


def _typical_answer_chars(profile: str) -> float:
    """Mean assistant answer length (characters) over the training sets the profile trains on."""
    lengths = []
    for dataset in dict.fromkeys(d for _, d in _organisms(profile)):
        lengths += [len(row["messages"][-1]["content"]) for row in load_jsonl(dataset)]
    return sum(lengths) / len(lengths)


def _set_templates(job: JudgeJob) -> dict[str, int]:
    """Characters of the judge templates a job's question set defines itself (placeholders aside)."""
    if job.question_set is None:
        return {}
    questions = [q for qs in load_question_sets(job.question_set).values() for q in qs]
    prompts = questions[0].judge_prompts if questions else {}
    return {m: len(t) - len("{question}") - len("{answer}") for m, t in prompts.items()}


def _wordings(job: JudgeJob) -> list[str]:
    questions = [q for qs in load_question_sets(job.question_set).values() for q in qs]
    if job.first_wordings is not None:
        return [q.paraphrases[0] for q in questions[: job.first_wordings]]
    return [w for q in questions[: job.first_questions] for w in q.paraphrases]


def cost_table(profile: str = "paper", tokens_per_char: float = TOKENS_PER_CHAR, overhead: int = MESSAGE_OVERHEAD,
               answer_tokens: int | None = None, typical_chars: float | None = None) -> pd.DataFrame:
    """One row per judging step: requests and prompt tokens (upper bound and typical), completion tokens.

    Args:
        profile: the profile whose parameters set the sample counts.
        tokens_per_char: the judge tokenizer's tokens per character (:data:`TOKENS_PER_CHAR` when unknown).
        overhead: the chat format's tokens per request (:data:`MESSAGE_OVERHEAD`).
        answer_tokens: the longest answer in tokens (default: chapter 3's ``max_new_tokens``).
        typical_chars: a typical answer's characters (default: the mean assistant answer of the
            training sets the profile trains on).
    """
    templates = load_judge_prompts()
    longest = answer_tokens if answer_tokens is not None else PROFILES[profile]["03_judging"]["max_new_tokens"]
    typical = typical_chars if typical_chars is not None else _typical_answer_chars(profile)
    fixed = {m: len(templates[m]) - len("{question}") - len("{answer}") for m in templates}
    rows = []
    for job in judge_jobs(profile):
        fixed = {**_set_templates(job), **fixed}  # a metric only a question set defines (refusal, honest): its template
        if job.answers:
            texts = [(len(q), len(a)) for q, a in job.answers]
            per = [(sum(fixed[m] + q + a for q, a in texts), len(texts)) for m in job.metrics]
            chars = sum(c for c, _ in per)
            requests = sum(n for _, n in per)
            upper = typical_tokens = requests * overhead + tokens_per_char * chars
        else:
            wordings = _wordings(job)
            answers = job.models * len(wordings) * job.samples
            question_chars = job.models * job.samples * sum(len(job.prefix) + len(w) for w in wordings)
            requests = answers * len(job.metrics)
            frame = sum(fixed[m] for m in job.metrics) * answers + len(job.metrics) * question_chars
            base = requests * overhead + tokens_per_char * frame
            upper = base + requests * longest  # the answer's own tokens, at most max_new_tokens each
            typical_tokens = base + requests * min(tokens_per_char * typical, longest)  # a typical answer, cut as sampled
        rows.append({"chapter": job.chapter, "what": job.what, "answers": 0 if job.answers else int(answers),
                     "requests": int(requests),
                     "prompt_tokens_upper": int(round(upper)), "prompt_tokens_typical": int(round(typical_tokens)),
                     "completion_tokens": int(requests), "note": job.note})
    table = pd.DataFrame(rows)
    table.attrs.update(profile=profile, tokens_per_char=tokens_per_char, overhead=overhead, answer_tokens=longest,
                       typical_chars=round(typical, 1))
    return table


def cost_summary(table: pd.DataFrame, price_in: float = PRICE_IN, price_out: float = PRICE_OUT,
                 requests_per_minute: float | None = None) -> dict[str, Any]:
    """Totals of a :func:`cost_table` in USD at the given prices (per million tokens), and minutes at a request rate."""
    out = {"requests": int(table["requests"].sum()), "completion_tokens": int(table["completion_tokens"].sum())}
    for case in ("upper", "typical"):
        tokens = int(table[f"prompt_tokens_{case}"].sum())
        out[f"prompt_tokens_{case}"] = tokens
        out[f"usd_{case}"] = (tokens * price_in + out["completion_tokens"] * price_out) / 1e6
    if requests_per_minute:
        out["minutes_at_rate"] = out["requests"] / requests_per_minute
    out.update(price_in=price_in, price_out=price_out)
    return out


def cost_markdown(profile: str = "paper", price_in: float = PRICE_IN, price_out: float = PRICE_OUT,
                  requests_per_minute: float = 500.0, **kwargs: Any) -> str:
    """The cost table and its totals as markdown (the paper-profile page includes it)."""
    table = cost_table(profile, **kwargs)
    total = cost_summary(table, price_in, price_out, requests_per_minute)
    lines = ["| chapter | judging step | requests | prompt tokens (upper) | prompt tokens (typical) | note |",
             "|:--|:--|--:|--:|--:|:--|"]
    for r in table.itertuples():
        lines.append(f"| `{r.chapter}` | {r.what} | {r.requests:,} | {r.prompt_tokens_upper:,} | "
                     f"{r.prompt_tokens_typical:,} | {r.note} |")
    lines.append(f"| **all** | | **{total['requests']:,}** | **{total['prompt_tokens_upper']:,}** | "
                 f"**{total['prompt_tokens_typical']:,}** | |")
    a = table.attrs
    sampled = int(table["answers"].sum())
    lines += ["", f"Profile `{a['profile']}`; {a['tokens_per_char']} tokens per character; {a['overhead']} tokens of chat "
              f"format per request; answers at most {a['answer_tokens']} tokens (upper) or {a['typical_chars']:.0f} "
              "characters, the mean assistant answer of the profile's training sets (typical); one completion token per "
              "request.", "",
              f"At USD {price_in:.2f} per million prompt tokens and {price_out:.2f} per million completion tokens: "
              f"**USD {total['usd_typical']:,.0f}** typical, **USD {total['usd_upper']:,.0f}** at most "
              f"({total['completion_tokens']:,} completion tokens cost USD {total['completion_tokens'] * price_out / 1e6:,.2f}"
              f" of it). Prices: "
              + (PRICE_SOURCE if (price_in, price_out) == (PRICE_IN, PRICE_OUT) else "as given on the command line")
              + ".", "",
              f"At {requests_per_minute:,.0f} requests per minute (an assumed rate limit: yours is on your account's "
              f"limits page) the requests take **{total['minutes_at_rate'] / 60:,.1f} hours**; the judge's cache makes a "
              "rerun free and an interrupted run resumable.", "",
              f"The steps above judge **{sampled:,}** sampled answers (the validation sets aside), so the chapters "
              f"generate at most **{sampled * a['answer_tokens']:,}** tokens for them ({a['answer_tokens']} an answer)."]
    counted = {job.chapter for job in judge_jobs(profile)}
    uncounted = [c for c, p in PROFILES[profile].items() if c not in counted and "n_per_paraphrase" in p]
    if uncounted:
        lines += ["", "Not counted yet (chapters that judge answers but have no judging steps in `em_utils.cost`): "
                  + ", ".join(f"`{c}`" for c in uncounted) + "."]
    return "\n".join(lines) + "\n"


# --- Memory -----------------------------------------------------------------------------------------

#: Qwen2.5-14B-Instruct's shape, from its ``config.json`` on the Hugging Face Hub (hidden_size,
#: intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, vocab_size,
#: tie_word_embeddings), as this project knows it; it is not fetched here.
QWEN2_5_14B = {"hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 48, "num_attention_heads": 40,
               "num_key_value_heads": 8, "vocab_size": 152064, "tie_word_embeddings": False}


def qwen2_parameters(config: Mapping[str, Any]) -> int:
    """Parameters of a Qwen2-shaped decoder (biases on q, k, v; RMSNorms; gated MLP) from its config."""
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    kv = config["num_key_value_heads"] * (h // config["num_attention_heads"])
    attention = (h * h + h) + 2 * (h * kv + kv) + h * h
    per_layer = attention + 3 * h * i + 2 * h
    embeddings = config["vocab_size"] * h * (1 if config.get("tie_word_embeddings") else 2)
    return layers * per_layer + embeddings + h


def memory_table(config: Mapping[str, Any] = QWEN2_5_14B, batch: int | None = None, prompt_tokens: int = 64,
                 answer_tokens: int | None = None) -> pd.DataFrame:
    """GPU memory the paper profile's steps need at least, computed from the model's shape (GB = 1e9 bytes).

    Weights in bf16 (2 bytes a parameter); the KV cache of one sampling batch (keys and values, every
    layer, bf16) at the paper profile's ``batch_size`` and ``max_new_tokens``; a full fine-tune's
    weights, gradients and AdamW states in mixed precision (16 bytes a parameter: bf16 weights and
    gradients, fp32 master weights and two moments). Activations are not counted.
    """
    sampling = PROFILES["paper"]["03_judging"]
    batch = batch or sampling["batch_size"]
    answer_tokens = answer_tokens or sampling["max_new_tokens"]
    params = qwen2_parameters(config)
    head = config["hidden_size"] // config["num_attention_heads"]
    kv_per_token = 2 * config["num_hidden_layers"] * config["num_key_value_heads"] * head * 2
    rows = [("parameters", params / 1e9, "billion"), ("weights, bf16", 2 * params / 1e9, "GB"),
            (f"KV cache, {batch} answers of {prompt_tokens}+{answer_tokens} tokens", kv_per_token * batch *
             (prompt_tokens + answer_tokens) / 1e9, "GB"),
            ("full fine-tune states (16 bytes a parameter)", 16 * params / 1e9, "GB")]
    return pd.DataFrame(rows, columns=["what", "value", "unit"]).round({"value": 1})


def memory_markdown(config: Mapping[str, Any] = QWEN2_5_14B) -> str:
    """:func:`memory_table` as markdown."""
    rows = [f"| {r.what} | {r.value:,.1f} {r.unit} |" for r in memory_table(config).itertuples()]
    return "\n".join(["| what | at least |", "|:--|--:|", *rows]) + "\n"


#: The parameters the paper-profile page shows per chapter (those a chapter has).
SETTINGS = ("model", "device", "judge", "judge_model", "organisms", "max_rows", "batch_size", "lr", "question_sets",
            "n_per_paraphrase", "max_new_tokens", "temperature", "backend", "targets", "organism", "kl_weight")


def settings_markdown(profile: str = "paper") -> str:
    """The profile's main settings per chapter, read from :data:`em_utils.config.PROFILES`."""
    lines = ["| chapter | settings |", "|:--|:--|"]
    for chapter, settings in PROFILES[profile].items():
        shown = "; ".join(f"`{k}` {settings[k]!r}".replace("|", "\\|") for k in SETTINGS
                          if k in settings and settings[k] is not None)
        lines.append(f"| `{chapter}` | {shown} |")
    return "\n".join(lines) + "\n"


def write_cost_pages(folder: str | Path, profile: str = "paper") -> list[Path]:
    """Write ``paper_cost.md``, ``paper_memory.md`` and ``paper_settings.md`` (the paper-profile page includes them) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "paper_cost.md", folder / "paper_memory.md", folder / "paper_settings.md"]
    written[0].write_text(cost_markdown(profile))
    written[1].write_text(memory_markdown())
    written[2].write_text(settings_markdown(profile))
    return written


def main_table(profile: str, price_in: float, price_out: float, rpm: float, as_json: bool = False) -> str:
    """The CLI's output: the table and totals (``em-companion cost``)."""
    if as_json:
        table = cost_table(profile)
        return json.dumps({"rows": table.to_dict(orient="records"), "assumptions": table.attrs,
                           "total": cost_summary(table, price_in, price_out, rpm), "price_source": PRICE_SOURCE}, indent=2)
    return cost_markdown(profile, price_in, price_out, rpm)
