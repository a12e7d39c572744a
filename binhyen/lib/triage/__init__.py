"""Message triage: intent, crime category, urgency and place of a citizen's message.

Public API::

    from binhyen.lib.triage import Triager
    triager = Triager.load()            # default model (or trained from the seed files)
    result = triager.predict("cs oi dang co danh nhau o cho Tan An")
    result.intent, result.category, result.urgency, result.place_codes, result.reasons

See docs/triage.md for how it works and the measured figures.
"""

from binhyen.lib.triage.evaluate import EvalReport, cross_validate, evaluate, format_report
from binhyen.lib.triage.model import TrainedModel, load_model, save_model
from binhyen.lib.triage.training import Example, Params, build_default_model, load_examples, train
from binhyen.lib.triage.triager import Triager, TriageResult, predict_jsonl

__all__ = [
    "EvalReport",
    "Example",
    "Params",
    "TrainedModel",
    "TriageResult",
    "Triager",
    "build_default_model",
    "cross_validate",
    "evaluate",
    "format_report",
    "load_examples",
    "load_model",
    "predict_jsonl",
    "save_model",
    "train",
]
