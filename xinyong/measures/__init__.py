"""Measures: the joint check (subject × matter → hits, measures and their basis), feedback,
screening, and check statistics.

Owns: the check log (`checks`), feedback rows, remembered screening decisions. The pure rules in
`rules.py` serve both the sync path (`check.py`) and the PostgreSQL fast path (`fast.py`).
Does not: decide list entries (lists) or change any record.

Package map: `rules` (pure), `joint_check` (sync path), `replay` (the slim log row both paths
write, and the rebuild of an answer from it with its digest compared), `fast` (# fast read path,
with `coalesce`: concurrent checks share one read and one group-commit write), `feedback`,
`screening` (+ `names` normalisation; check characters from `identifiers.frames`), `stats`.
Code and tests are authoritative.
"""

from xinyong.measures.feedback import (
    CheckNotFound,
    FeedbackExists,
    FeedbackItem,
    MandatoryReasonMissing,
    MeasureNotInAnswer,
    answered_measures,
    get_check,
    record_feedback,
)
from xinyong.measures.joint_check import answer_json, check
from xinyong.measures.replay import Replay, replay_check
from xinyong.measures.rules import (
    AppliedMeasure,
    CheckAnswer,
    HitMeasures,
    SubjectFacts,
    UnknownMatter,
    answer,
    measures_for_hit,
)
from xinyong.measures.stats import CheckStats, check_stats

__all__ = [
    "AppliedMeasure",
    "CheckAnswer",
    "CheckNotFound",
    "CheckStats",
    "FeedbackExists",
    "FeedbackItem",
    "HitMeasures",
    "MandatoryReasonMissing",
    "MeasureNotInAnswer",
    "Replay",
    "SubjectFacts",
    "UnknownMatter",
    "answer",
    "answer_json",
    "answered_measures",
    "check",
    "check_stats",
    "get_check",
    "measures_for_hit",
    "record_feedback",
    "replay_check",
]
