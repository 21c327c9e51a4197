"""The dependency bounds in pyproject.toml are the ones the tests run on: every installed distribution of the
project's dependencies (and of the extras `make test` installs) meets its specifier, and every specifier has both
ends, so that neither an older release nor an untested major is ever promised."""

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
INSTALLED_BY_MAKE_TEST = ("dev", "embeddings")  # Makefile: pip install -e ".[dev,embeddings]"
REQUIREMENTS = [Requirement(r) for r in PYPROJECT["dependencies"]] + [
    Requirement(r) for extra in INSTALLED_BY_MAKE_TEST for r in PYPROJECT["optional-dependencies"][extra]]


def _installed(name: str) -> Version:
    try:
        return Version(version(name))
    except PackageNotFoundError:
        pytest.fail(f"{name} is declared in pyproject.toml but not installed: run `make env`")


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.name)
def test_the_installed_release_meets_the_declared_bounds(requirement):
    installed = _installed(requirement.name)
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"{requirement.name} {installed} is outside pyproject.toml's {requirement.specifier}: the tests ran on a "
        "release the project does not declare; move the bound to what was tested")


@pytest.mark.parametrize("requirement", [r for extra in PYPROJECT["optional-dependencies"].values() for r in extra]
                         + PYPROJECT["dependencies"], ids=lambda r: Requirement(r).name)
def test_every_dependency_has_a_lower_and_an_upper_bound(requirement):
    operators = {spec.operator for spec in Requirement(requirement).specifier}
    assert operators & {">=", "==", "~="} and operators & {"<", "==", "~="}, (
        f"pyproject.toml: {requirement!r} needs both a tested lower bound and an upper bound")
