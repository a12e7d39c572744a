"""Procedure search for citizens' questions (model-free). See docs/knowledge.md."""

from binhyen.lib.knowledge.evaluate import Report, evaluate, format_report, score_one
from binhyen.lib.knowledge.search import (
    NONE_SLUG,
    Entry,
    Hit,
    Index,
    Params,
    catalogue_entries,
    load_jsonl,
    normalize,
)

__all__ = [
    "NONE_SLUG",
    "Entry",
    "Hit",
    "Index",
    "Params",
    "Report",
    "catalogue_entries",
    "evaluate",
    "format_report",
    "load_jsonl",
    "normalize",
    "score_one",
]
