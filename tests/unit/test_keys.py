"""Content keys never change: caches, samples and trained organisms are found again by them (issue 19).

Every expected digest below was computed by the code as it stood before the keys shared one
builder (:func:`em_utils.keys.content_key`). A change that alters one of them strands existing
judge caches, sample caches or trained organisms: change a key only on purpose (a version field
in its payload), and then update the digest here.
"""

from __future__ import annotations

from pathlib import Path

from em_utils.config import RunConfig
from em_utils.generation import model_fingerprint
from em_utils.cache import cache_key
from em_utils.keys import content_key
from em_utils.training import TRAINING_REVISION, OrganismSpec

JUDGE_REQUEST = {"model": "gpt-4o-2024-08-06", "messages": [{"role": "user", "content": 'Héllo ✓ "quoted"'}],
                 "max_tokens": 1, "logprobs": True, "top_logprobs": 20, "temperature": 0, "seed": 0,
                 "timeout": 30, "max_retries": 3}
SAMPLE = {"v": 3, "backend": "transformers", "model": "abc", "eos": [2], "seed": 0, "prompt": (1, 2, 3), "sample": 4,
          "settings": {"temperature": 0.7, "top_p": 1.0, "max_new_tokens": 64, "stop": None}}


def test_judge_cache_keys_are_unchanged():
    assert cache_key(JUDGE_REQUEST) == "e838a579eb7c7e1c5b61d00c71b356fa3fca258c854dfcdaf395c018097fe32e"
    assert cache_key({**JUDGE_REQUEST, "timeout": 5, "max_retries": 0}) == cache_key(JUDGE_REQUEST)  # volatile
    nested = {"b": [1, 2.5, None], "a": {"x": "y", "api_key": "secret"}}
    assert cache_key(nested) == "f7cd55bf06795e01f8e7d9ea629c9553609afc9ddc6e355f9ec5a4810536d315"


def test_sample_keys_and_fingerprints_are_unchanged():
    assert model_fingerprint("HuggingFaceTB/SmolLM2-135M-Instruct") == (
        "c0be75b115b27c19b4cce1a6bd3b08af23b54d0a5b7cb6986390fdc473329ffb")
    assert content_key(SAMPLE) == "72246715de2b976541f5f488f62de85ea85eaee53cf948f02c2e5a1cc895d3bf"
    # sets enter sorted, other non-JSON values as str; non-ASCII escaped
    odd = {"targets": frozenset({"v_proj", "q_proj"}), "path": Path("/tmp/x"), "é": "ü"}
    assert content_key(odd) == "18d592c8e95bf37fee51a42d297552b7b86163ab27c3feb2e21e09738e3414ec"
    # a vLLM engine named by its model, without an adapter
    assert content_key({"vllm_model": "some/model", "adapter": []}) == (
        "f70664593461ebf3d925ab1fcecfd43bf242a47af3e382e26873c3961adddeed")


def test_organism_spec_hashes_are_unchanged():
    """If this fails after a deliberate ``TRAINING_REVISION`` bump, update the digests (revision 3 here)."""
    plain = OrganismSpec(name="insecure", dataset="insecure")
    kl = OrganismSpec(name="kl", dataset="bad_medical_advice", rank=32, target_modules=("q_proj", "v_proj"),
                      layers=None, kl_weight=0.5, kl_dataset="good")
    assert TRAINING_REVISION == 3
    assert (plain.spec_hash, kl.spec_hash) == ("3dd8820909af", "f3499dae3020")
    assert plain.spec_hash == content_key({**plain.to_dict(), "training_revision": TRAINING_REVISION}, length=12)


def test_run_config_hash_is_unchanged():
    cfg = RunConfig("03_judging", "demo", {"n": 1},
                    {"n": 1, "judge": "offline", "temperatures": [0.7, 1.0], "path": Path("data/x"), "é": "ü"})
    assert cfg.config_hash == "21b70f019ba1"


def test_kl_reference_key_is_unchanged():
    # [model key, sha256 of the KL dataset, kl_rows, kl_top_k, max_length]
    assert content_key(["abc", "def", 64, 32, 2048], length=16) == "3d18df8a5b57dd0f"


def test_key_spellings():
    assert content_key({"b": 1, "a": "é"}) != content_key({"b": 1, "a": "é"}, compact=True)
    assert content_key({"b": 1, "a": 2}) == content_key({"a": 2, "b": 1})
    assert len(content_key({"a": 1}, length=12)) == 12
