"""The officer's console: the unit inbox and the case page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from binhyen.accounts.access import (
    AnyUser,
    Cap,
    assignable_users,
    has_cap,
    has_cap_anywhere,
    transfer_targets,
    visible_units,
)
from binhyen.accounts.http import AuthenticatedHttpRequest
from binhyen.cases import listing, services
from binhyen.cases.access import (
    cases_for_user,
    conversation_open_cases,
    get_attachment_for_user,
    get_case_for_user,
    get_case_to_work,
)
from binhyen.cases.forms import ActionForm, DispatchForm, OutcomeForm, ReplyForm
from binhyen.cases.models import Case, Category, Message, SavedFilter, Urgency
from binhyen.clocks.services import case_clock_summary
from binhyen.vault.services import case_view_record


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case list: filters, search, sorts and keyset pages over `cases.listing`.

    A complete case code (or a citizen's web tip code) of a case the officer may read goes
    straight to the case page, before anything of the list is read; `list=1` asks for the
    list anyway (the other threads that mention the code), and so do its later pages."""
    params = request.GET
    q = str(params.get("q", ""))
    if q and not (params.get("list") or params.get("sau") or params.get("truoc")):
        pk = listing.exact_code_case_id(request.user, q)
        if pk is not None:
            return redirect("cases:detail", pk=pk)
    saved = SavedFilter.objects.filter(user=request.user).first()
    if not params and saved is not None and saved.query:
        # The officer's own filter is where their list opens.
        params = QueryDict(saved.query)
    f = listing.Filters.parse(params)
    for problem in f.problems:
        messages.warning(request, problem)
    qs = listing.apply(listing.visible(request.user), f, request.user)
    page = listing.page(
        qs,
        f,
        after=str(request.GET.get("sau", ""))[:200],
        before=str(request.GET.get("truoc", ""))[:200],
    )
    now = timezone.now()
    for c in [*page.code_hits, *page.rows]:
        c.overdue = c.next_deadline_at is not None and c.next_deadline_at <= now  # type: ignore[attr-defined]
    units = visible_units(request.user).only("code", "name", "path").order_by("path")
    return render(
        request,
        "cases/inbox.html",
        {
            "page": page,
            "f": f,
            "status": f.status,
            "tabs": [(key, label, f.with_status(key).urlencode()) for key, label in listing.TABS],
            "units": units,
            "sorts": [(k, listing.SORTS[k][2]) for k in listing.CONSOLE_SORTS],
            "categories": Category.choices,
            "urgencies": Urgency.choices,
            "channels": listing.CHANNELS,
            "assigned_choices": listing.ASSIGNED,
            "query": f.urlencode(),
            "saved": saved,
            "can_export": has_cap_anywhere(request.user, Cap.CASE_EXPORT),
        },
    )


@login_required
@require_POST
def filter_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Lưu bộ lọc": the list opens with it from now on; "Bỏ bộ lọc đã lưu" forgets it."""
    if request.POST.get("clear"):
        services.case_filter_clear(user=request.user)
        messages.success(request, _("Đã bỏ bộ lọc đã lưu."))
        return redirect(f"{reverse('cases:inbox')}?status=open")
    f = listing.Filters.parse(request.POST)
    services.case_filter_save(user=request.user, filters=f)
    messages.success(request, _("Đã lưu bộ lọc: danh sách sẽ mở với bộ lọc này."))
    return redirect(f"{reverse('cases:inbox')}?{f.urlencode()}")


def _reply_window(case: Case) -> str:
    """free | paid | closed on Zalo; "page" for the web form and Open311, whose citizens read
    answers on their status page with no time limit (no Zalo window applies)."""
    if case.conversation is None:
        return "closed"
    if case.conversation.channel_account.provider != "zalo":
        return "page"
    return case.conversation.reply_window()


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, request=request)
    can_work = has_cap(request.user, case.unit, Cap.CASE_WORK)
    if can_work:  # a camera operator looking does not clear the unit's "unread"
        services.case_mark_read(case=case)
    # Opening a protected case is itself a recorded event (docs/protection.md).
    case_view_record(case=case, user=request.user, request=request)
    merged = list(case.merged_cases.all().only("pk", "code"))
    scope = Q(case=case) | Q(case__in=[m.pk for m in merged])
    if case.conversation_id:
        scope |= Q(case__isnull=True, conversation=case.conversation)
    thread = (
        Message.objects.filter(scope)
        .select_related("author", "case")
        .prefetch_related("attachments")
        .order_by("sent_at", "id")
    )
    form = ReplyForm(initial={"client_token": uuid.uuid4().hex})
    actions = {t.action for t in services.allowed_actions(case)}
    siblings, unsure = _conversation_cases(request.user, case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "thread": thread,
            "events": case.events.select_related("actor").order_by("-at", "-id")[:100],
            "form": form,
            "window": _reply_window(case),
            "window_ends": case.conversation.window_ends_at()
            if case.conversation
            else (None, None),
            "actions": actions,
            "action_form": ActionForm(case=case, user=request.user),
            "assignees": assignable_users(case),
            "transfer_units": transfer_targets(request.user, case),
            "dispatches": case.dispatches.prefetch_related("officers"),
            "outcome": getattr(case, "result", None),
            "times": services.derived_times(case),
            "clocks": case_clock_summary(case),
            "merged": merged,
            "can_work": can_work,
            "siblings": siblings,
            "split_unsure": unsure,
            "inbound_count": case.messages.filter(direction=Message.Direction.IN).count(),
        },
    )


def _conversation_cases(user: AnyUser, case: Case) -> tuple[list[Case], set[int]]:
    """The other open cases of the same conversation (where a message may move) and the
    messages the machine was unsure about (offered a split)."""
    siblings = conversation_open_cases(user, case)
    unsure = {
        int(e.data["message"])
        for e in case.events.filter(kind="split_suggested").only("data")
        if isinstance(e.data.get("message"), int)
    }
    return siblings, unsure


def _own_message(case: Case, message_id: int) -> Message:
    message = (
        Message.objects.filter(pk=message_id, case=case, direction=Message.Direction.IN)
        .select_related("case")
        .first()
    )
    if message is None:
        raise Http404
    return message


@login_required
@require_POST
def message_split(request: AuthenticatedHttpRequest, pk: int, message_id: int) -> HttpResponse:
    """One click: "tách thành vụ việc mới"."""
    case = get_case_to_work(request.user, pk, request=request)
    message = _own_message(case, message_id)
    try:
        new = services.message_split(
            message=message,
            actor=request.user,
            reason=str(request.POST.get("reason", ""))[:200],
        )
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("Đã tách thành vụ việc mới %(code)s.") % {"code": new.code})
    return redirect("cases:detail", pk=new.pk)


@login_required
@require_POST
def message_move(request: AuthenticatedHttpRequest, pk: int, message_id: int) -> HttpResponse:
    """One click: "chuyển sang vụ việc" another open case of the same conversation."""
    case = get_case_to_work(request.user, pk, request=request)
    message = _own_message(case, message_id)
    try:
        target_id = int(str(request.POST.get("to_case", "")))
    except ValueError:
        messages.error(request, _("Hãy chọn vụ việc nhận tin nhắn."))
        return redirect("cases:detail", pk=case.pk)
    target = get_case_to_work(request.user, target_id, request=request)
    try:
        services.message_move(message=message, to_case=target, actor=request.user)
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("Đã chuyển tin nhắn sang %(code)s.") % {"code": target.code})
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_reply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    image = form.cleaned_data.get("image")
    try:
        services.case_reply(
            case=case,
            author=request.user,
            text=form.cleaned_data.get("text") or "",
            image=(image.name, image.read(), image.content_type or "") if image else None,
            client_token=form.cleaned_data.get("client_token") or None,
        )
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã đưa tin trả lời vào hàng gửi."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every workflow action from the case page goes through its one service function."""
    case = get_case_to_work(request.user, pk, request=request)
    form = ActionForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    try:
        form.run()
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã cập nhật vụ việc."))
    if not cases_for_user(request.user).filter(pk=case.pk).exists():
        # Transferred out of what this officer may see.
        return redirect("cases:inbox")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_dispatch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = DispatchForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CaseError(_("Dữ liệu điều động không hợp lệ."))
        d = form.cleaned_data
        if d.get("dispatch"):
            dispatch = case.dispatches.filter(pk=d["dispatch"]).first()
            if dispatch is None:
                raise Http404
            services.dispatch_mark(
                dispatch=dispatch,
                actor=request.user,
                stage=d.get("stage") or "",
            )
        else:
            services.dispatch_create(
                case=case,
                actor=request.user,
                team=d.get("team") or "",
                note=d.get("note") or "",
            )
    except services.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    d = form.cleaned_data
    try:
        services.outcome_record(
            case=case,
            actor=request.user,
            people_detained=d.get("people_detained") or 0,
            vehicles_seized=d.get("vehicles_seized") or 0,
            items_seized=form.parsed_items(),
            referrals=d.get("referrals") or "",
            summary=d.get("summary") or "",
        )
    except services.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def message_resend(request: AuthenticatedHttpRequest, pk: int, message_id: int) -> HttpResponse:
    case = get_case_to_work(request.user, pk, request=request)
    message = case.messages.filter(pk=message_id).first()
    if message is None:
        raise Http404
    try:
        services.message_resend(message=message, actor=request.user)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("cases:detail", pk=case.pk)


@login_required
def attachment(request: AuthenticatedHttpRequest, token: str) -> FileResponse:
    att = get_attachment_for_user(request.user, token, request=request)
    if not att.file:
        raise Http404
    # A file of a protected case is read like the case itself: the same audited entry.
    case_view_record(case=att.message.case, user=request.user, request=request)  # type: ignore[arg-type]
    inline = att.content_type in {"image/jpeg", "image/png", "image/gif", "image/webp"}
    response = FileResponse(
        att.file.open("rb"),
        content_type=att.content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=att.name or att.token,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
