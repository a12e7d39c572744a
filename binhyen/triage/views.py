"""One-click answers to the machine's suggestions, from the case page.

Every view reaches its case through ``cases.access`` (a commune officer gets a 404 for
another commune's case) and calls one service; errors come back as flash messages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binhyen.accounts.access import transfer_targets
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.cases.access import cases_for_user, get_case_to_work
from binhyen.cases.models import Case
from binhyen.cases.services import CaseError
from binhyen.triage import services
from binhyen.triage.forms import CandidateForm, CorrectForm, SuggestionForm, UnmergeForm
from binhyen.triage.models import DuplicateCandidate, Suggestion


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    """To the case page, or to the inbox when the case left what this officer may see."""
    if cases_for_user(request.user).filter(pk=case.pk).exists():
        return redirect("cases:detail", pk=case.pk)
    return redirect("cases:inbox")


def _run(request: HttpRequest, case: Case, action: Callable[[], object], done: str) -> HttpResponse:
    try:
        action()
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return _back(request, case)


def _suggestion(case: Case, pk: int | None) -> Suggestion:
    s = Suggestion.objects.filter(case=case, pk=pk or 0).select_related("case__unit").first()
    if s is None:
        raise Http404("Không tìm thấy gợi ý")
    return s


def _invalid(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(request, _("Dữ liệu không hợp lệ."))
    return _back(request, case)


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case)
    s = _suggestion(case, form.cleaned_data["suggestion"])
    return _run(
        request,
        case,
        lambda: services.suggestion_confirm(suggestion=s, actor=request.user),
        _("Đã xác nhận phân loại theo gợi ý."),
    )


@login_required
@require_POST
def correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case)
    d = form.cleaned_data
    s = _suggestion(case, d["suggestion"])
    try:
        result = services.suggestion_correct(
            suggestion=s,
            actor=request.user,
            field=d["field"],
            value=d.get("value") or "",
            category=d.get("category") or "",
            urgency=d.get("urgency") or "",
        )
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(request, case)
    if result.note:
        messages.info(request, result.note)
    if result.transferred_to is not None:
        messages.success(
            request, _("Đã sửa và chuyển tới %(unit)s.") % {"unit": result.transferred_to.name}
        )
    else:
        messages.success(request, _("Đã sửa; ghi nhận làm dữ liệu huấn luyện."))
    return _back(request, case)


@login_required
@require_POST
def transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case)
    s = _suggestion(case, form.cleaned_data["suggestion"])
    unit = transfer_targets(request.user, case).filter(code=form.cleaned_data.get("unit")).first()
    if unit is None:
        messages.error(request, _("Bạn không thể chuyển tới đơn vị này."))
        return _back(request, case)
    return _run(
        request,
        case,
        lambda: services.suggestion_transfer(suggestion=s, actor=request.user, unit=unit),
        _("Đã chuyển tới %(unit)s.") % {"unit": unit.name},
    )


def _candidate(request: HttpRequest, case: Case, pk: int | None) -> DuplicateCandidate:
    """A pair this case belongs to, both sides visible to the officer."""
    visible = cases_for_user(request.user)
    row = (
        DuplicateCandidate.objects.filter(Q(case=case) | Q(other=case), pk=pk or 0)
        .filter(case__in=visible, other__in=visible)
        .select_related("case__unit", "other__unit")
        .first()
    )
    if row is None:
        raise Http404("Không tìm thấy cặp nghi trùng")
    return row


@login_required
@require_POST
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case)
    row = _candidate(request, case, form.cleaned_data["candidate"])
    try:
        primary = services.duplicate_merge(candidate=row, actor=request.user)
    except CaseError as exc:
        messages.error(request, str(exc))
        return _back(request, case)
    messages.success(
        request, _("Đã gộp %(dup)s vào %(code)s.") % {"dup": row.case.code, "code": primary.code}
    )
    return redirect("cases:detail", pk=primary.pk)


@login_required
@require_POST
def dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        return _invalid(request, case)
    row = _candidate(request, case, form.cleaned_data["candidate"])
    return _run(
        request,
        case,
        lambda: services.duplicate_dismiss(candidate=row, actor=request.user),
        _("Đã đánh dấu không trùng."),
    )


@login_required
@require_POST
def unmerge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a merge; ``pk`` is the case that was merged into another."""
    case = get_case_to_work(request.user, pk, request=request)
    form = UnmergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi rõ lý do tách."))
        return _back(request, case)
    return _run(
        request,
        case,
        lambda: services.duplicate_unmerge(
            duplicate=case,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ),
        _("Đã tách %(code)s ra thành vụ việc riêng.") % {"code": case.code},
    )
