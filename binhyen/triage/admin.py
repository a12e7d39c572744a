from django.contrib import admin

from binhyen.accounts.access import Cap
from binhyen.accounts.admin import ReadOnlyAdmin, UnitScopedAdmin
from binhyen.triage.models import (
    Correction,
    DuplicateCandidate,
    LabelledExample,
    ModelVersion,
    Suggestion,
)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "state", "score", "compared_score", "training_size", "created_at")
    list_filter = ("state",)
    exclude = ("blob",)
    readonly_fields = (
        "version",
        "state",
        "created_at",
        "activated_at",
        "training_size",
        "corrections_used",
        "holdout_size",
        "metrics",
        "score",
        "compared_with",
        "compared_score",
        "note",
        "meta",
    )

    def has_add_permission(self, request: object) -> bool:
        return False  # versions come from `binhyen triage train`, which applies the gate


# Suggestions, labelled examples and duplicate candidates carry citizens' words: read-only
# here (they change through the triage services), scoped to the units whose cases one reads.
@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    scope_cap = Cap.CASE_READ
    unit_field = "case__unit"
    list_display = ("case", "intent", "category", "urgency", "routing", "model_version")
    list_filter = ("intent", "routing", "model_version")
    raw_id_fields = ("case", "message", "routed_to", "confirmed_by")


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0
    fields = ("field", "suggested", "corrected", "officer", "created_at")
    readonly_fields = fields


@admin.register(LabelledExample)
class LabelledExampleAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    scope_cap = Cap.CASE_READ
    unit_field = "suggestion__case__unit"
    list_display = ("pk", "intent", "category", "urgency", "updated_at")
    list_filter = ("intent", "category")
    raw_id_fields = ("suggestion", "officer")
    inlines = [CorrectionInline]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdmin, UnitScopedAdmin):
    scope_cap = Cap.CASE_READ
    unit_field = "case__unit"
    list_display = ("case", "other", "score", "created_at", "dismissed_at")
    raw_id_fields = ("case", "other", "dismissed_by")
