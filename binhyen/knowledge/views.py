"""Public procedure pages, the editors' console and the case page's answer action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binhyen.accounts.access import Cap, has_cap, visible_units
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.cases.access import get_case_to_work
from binhyen.cases.services import CaseError
from binhyen.knowledge import access, search, services
from binhyen.knowledge.forms import AnswerForm, ProcedureForm, ResolveForm, SettingForm
from binhyen.knowledge.models import Procedure, UnitSetting
from binhyen.units.models import Unit

# --- public site ----------------------------------------------------------------------------


def public_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:300]
    if q:
        found = [m.procedure for m in search.search(q, approved_only=True, limit=10)]
        if not found:
            # Nothing the ranking is sure of: the database's own search on the folded text.
            found = search.db_search(q, approved_only=True, limit=10)
        rows = found
    else:
        rows = list(Procedure.objects.filter(status=Procedure.Status.APPROVED))
    return render(request, "knowledge/public_list.html", {"rows": rows, "q": q})


def public_detail(request: HttpRequest, slug: str) -> HttpResponse:
    p = access.published(slug)
    return render(request, "knowledge/public_detail.html", {"p": p})


# --- editors' console -----------------------------------------------------------------------


@login_required
def console_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_edit(request.user)
    q = (request.GET.get("q") or "").strip()[:300]
    if q:
        rows = search.db_search(q, limit=50)
    else:
        rows = list(Procedure.objects.select_related("reviewed_by"))
    status = request.GET.get("status", "")
    today = timezone.localdate()
    if status == "draft":
        rows = [p for p in rows if not p.is_approved]
    elif status == "overdue":
        rows = [p for p in rows if p.review_overdue(today)]
    return render(
        request,
        "knowledge/console_list.html",
        {
            "rows": rows,
            "today": today,
            "status": status,
            "q": q,
            "unanswered": access.unanswered_for(request.user).count(),
            "may_approve": access.may_approve(request.user),
        },
    )


@login_required
def console_edit(request: AuthenticatedHttpRequest, slug: str | None = None) -> HttpResponse:
    procedure = access.procedure_to_edit(request.user, slug) if slug else None
    if procedure is None:
        access.require_edit(request.user)
    form = ProcedureForm(request.POST or None, instance=procedure)
    if procedure is not None:
        form.fields["slug"].disabled = True  # slugs are stable identifiers
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.save(commit=False)
        else:
            data = dict(form.cleaned_data)
            services.procedure_save(
                procedure=procedure, data=data, author=request.user, note=data.get("note", "")
            )
            messages.success(request, _("Đã lưu. Thủ tục chờ duyệt lại (cần kiểm tra)."))
            return redirect("knowledge:console_list")
    return render(
        request,
        "knowledge/console_edit.html",
        {"form": form, "procedure": procedure, "preview": preview},
    )


@login_required
@require_POST
def console_approve(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    p = access.procedure_to_edit(request.user, slug)
    if not access.may_approve(request.user, p):
        raise PermissionDenied("Vai trò của bạn không cho phép duyệt thủ tục.")
    services.procedure_approve(procedure=p, actor=request.user)
    messages.success(request, _("Đã duyệt và công bố thủ tục."))
    return redirect("knowledge:console_list")


@login_required
def console_history(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    p = access.procedure_to_edit(request.user, slug)
    versions = p.versions.select_related("author")
    return render(request, "knowledge/console_history.html", {"p": p, "versions": versions})


@login_required
def console_unanswered(
    request: AuthenticatedHttpRequest, error: str = "", status: int = 200
) -> HttpResponse:
    access.require_edit(request.user)
    return render(
        request,
        "knowledge/console_unanswered.html",
        {
            "groups": access.unanswered_counts(request.user),
            "procedures": Procedure.objects.order_by("slug").only("slug", "title"),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def console_unanswered_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An editor marks an unanswered question out of scope or links it to an entry."""
    access.require_edit(request.user)
    row = access.unanswered_to_resolve(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return console_unanswered(request, error=error, status=400)
    procedure = None
    if form.cleaned_data["action"] == "link":
        procedure = Procedure.objects.filter(slug=form.cleaned_data["slug"]).first()
        if procedure is None:
            return console_unanswered(
                request, error=_("Không tìm thấy thủ tục có mã này."), status=400
            )
        if not access.may_edit(request.user, procedure):
            raise PermissionDenied("Vai trò của bạn không cho phép biên tập thủ tục này.")
    n = services.unanswered_resolve(row=row, actor=request.user, procedure=procedure)
    if procedure is None:
        messages.success(request, _("Đã đánh dấu ngoài phạm vi (%(n)d câu hỏi).") % {"n": n})
    else:
        messages.success(
            request,
            _("Đã gắn %(n)d câu hỏi vào thủ tục “%(title)s”.") % {"n": n, "title": procedure.title},
        )
    return redirect("knowledge:console_unanswered")


@login_required
def console_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = list(visible_units(request.user, cap=Cap.KNOWLEDGE_APPROVE).order_by("path")[:200])
    if not units:
        raise PermissionDenied("Vai trò của bạn không cho phép đổi cài đặt trả lời tự động.")
    if request.method == "POST":
        form = SettingForm(request.POST)
        if form.is_valid():
            unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"])
            if not has_cap(request.user, unit, Cap.KNOWLEDGE_APPROVE):
                raise PermissionDenied("Vai trò của bạn không cho phép đổi cài đặt của đơn vị này.")
            services.setting_update(
                unit=unit,
                auto_answer=form.cleaned_data["auto_answer"],
                min_score=form.cleaned_data["min_score"],
            )
            messages.success(request, _("Đã lưu cài đặt."))
        return redirect("knowledge:console_settings")
    settings_by_unit = {s.unit_id: s for s in UnitSetting.objects.filter(unit__in=units)}
    rows = [(u, settings_by_unit.get(u.pk)) for u in units]
    return render(request, "knowledge/console_settings.html", {"rows": rows})


# --- the case page's action ------------------------------------------------------------------


@login_required
@require_POST
def case_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The officer sends a suggested (and possibly edited) answer through the reply path."""
    case = get_case_to_work(request.user, pk, request=request)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Câu trả lời chưa hợp lệ."))
        return redirect("cases:detail", pk=case.pk)
    procedure = get_object_or_404(Procedure, slug=form.cleaned_data["slug"])
    suggested = [s for s in (form.cleaned_data.get("suggested") or "").split(",") if s][:5]
    try:
        services.answer_send(
            case=case,
            procedure=procedure,
            text=form.cleaned_data["text"],
            actor=request.user,
            suggested=suggested,
            client_token=form.cleaned_data.get("client_token") or None,
        )
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã đưa câu trả lời vào hàng gửi."))
    return redirect("cases:detail", pk=case.pk)
