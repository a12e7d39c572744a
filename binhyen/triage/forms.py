from __future__ import annotations

from django import forms

from binhyen.triage.models import Correction


class CorrectForm(forms.Form):
    suggestion = forms.IntegerField()
    field = forms.ChoiceField(choices=Correction.Field.choices)
    value = forms.CharField(required=False, max_length=32)
    category = forms.CharField(required=False, max_length=32)
    urgency = forms.CharField(required=False, max_length=16)


class SuggestionForm(forms.Form):
    suggestion = forms.IntegerField()
    unit = forms.CharField(required=False, max_length=32)


class CandidateForm(forms.Form):
    candidate = forms.IntegerField()


class UnmergeForm(forms.Form):
    reason = forms.CharField(max_length=300)
