"""Regression guard: kg's extraction on the interview, scored against the hand-made gold.

The gold (tests/gold/interview.json) was annotated by reading data/interview.txt, not from
kg's output. The thresholds are what the code reached when they were last raised; they
rise as extraction improves, up to the issue's targets (typed entity F1 >= 0.95,
relation F1 >= 0.90, eight stances). Never lower one to make a change pass.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import cli

from .conftest import DATA, TESTS

# The targets. Measured when raised (2026-11-27): every score 1.0 (14/14 entities,
# 8/8 relations, 8/8 stances, no false positive); the Foundation extraction scored entity F1
# 0.656, typed 0.477, relation F1 0.222.
THRESHOLDS = {
    ("entities", "f1"): 0.95,
    ("entities_typed", "f1"): 0.95,
    ("entities_typed", "precision"): 1.0,  # zero junk entities
    ("relations", "f1"): 0.90,
    ("stances", "recall"): 1.0,
}


def test_interview_scores_at_least_the_thresholds(nlp):
    result = CliRunner().invoke(cli, [
        "eval", str(TESTS / "gold" / "interview.json"), "--text", str(DATA / "interview.txt"),
        "--format", "json",
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    below = {
        f"{part} {measure}": report[part][measure]
        for (part, measure), floor in THRESHOLDS.items()
        if report[part][measure] < floor
    }
    assert not below, f"below the thresholds {THRESHOLDS}: {below}"
