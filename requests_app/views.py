"""The support desk at /support/: log a request in under a minute, see one's own queue.

Support sees identity and contact data only (never special categories or payment data) and
fulfils nothing: that is the DPO's, in the admin.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, ListView

from audit.services import Action, audit_list_view, audit_record
from subjects.models import DataSubject

from .forms import IntakeForm, SubjectSearchForm
from .models import DataSubjectRequest
from .selectors import open_requests_like, subject_search, support_queue


class SupportMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "requests_app.log_request"
    raise_exception = False

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True  # logged in without the role: 403, not a login loop
        return super().handle_no_permission()


QUEUE_FIELDS = ["receipt_number", "received_at", "requester_name", "items", "state", "due_on"]
RECEIPT_FIELDS = ["receipt_number", "received_at", "requester_name", "subject", "items", "due_on"]


class QueueView(SupportMixin, ListView):
    template_name = "requests_app/support/queue.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        return support_queue(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The requesters' names on the page are personal data shown: audited like an admin list (ids only).
        audit_list_view(DataSubjectRequest, (r.pk for r in context["requests"]), fields=QUEUE_FIELDS)
        return context


class IntakeView(SupportMixin, FormView):
    template_name = "requests_app/support/intake.html"
    form_class = IntakeForm

    def chosen_subject(self) -> DataSubject | None:
        pk = self.request.POST.get("subject") or self.request.GET.get("subject")
        if pk and str(pk).isdigit():
            return (
                DataSubject.objects.filter(pk=pk, erased_at__isnull=True)
                .prefetch_related("emailaddress_set", "phonenumber_set")
                .first()
            )
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        subject = self.chosen_subject()
        kwargs["subject"] = subject
        if self.request.method == "GET" and subject is not None:
            email = next(iter(subject.emailaddress_set.all()), None)
            phone = next(iter(subject.phonenumber_set.all()), None)
            # Shown to support like a search result, so audited like one (field names only).
            audit_record(
                subject,
                Action.VIEW,
                fields=["first_name", "last_name", "emailaddress", "phonenumber", "language"],
                detail=f"support intake prefill: {subject.pk}",
            )
            kwargs["initial"] = {
                "subject": subject.pk,
                "requester_name": " ".join(p for p in (subject.first_name, subject.last_name) if p),
                "requester_email": email.email if email else "",
                "requester_phone": phone.number if phone else "",
                "language": subject.language,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Bound only to a search: `?subject=` (a chosen person) is no empty search with "required" errors.
        search = SubjectSearchForm(self.request.GET if "q" in self.request.GET else None)
        results = subject_search(search.cleaned_data["q"]) if search.is_valid() else []
        if results:
            audit_record(
                None,
                Action.VIEW,
                fields=["first_name", "last_name", "customer_number", "emailaddress", "phonenumber"],
                detail="support subject search: " + ",".join(str(s.pk) for s in results),
            )
        context.update(
            search_form=search, search_results=results, searched=search.is_bound, subject=self.chosen_subject()
        )
        return context

    def form_valid(self, form):
        from .services import request_log

        data = form.cleaned_data
        subject = data.get("subject")
        if subject is not None and not data.get("confirm_duplicate"):
            duplicates = list(open_requests_like(subject=subject, kinds=data["kinds"]))
            if duplicates:
                return self.render_to_response(self.get_context_data(form=form, duplicates=duplicates))
        try:
            result = request_log(
                actor=self.request.user,
                channel=data["channel"],
                received_at=data["received_at"],
                requester_name=data["requester_name"],
                requester_email=data.get("requester_email") or "",
                requester_phone=data.get("requester_phone") or "",
                requester_address=data.get("requester_address") or "",
                subject=subject,
                create_subject=bool(data.get("create_subject")),
                items=form.item_specs(),
                description=data.get("description") or "",
                identity_method=data.get("identity_method") or "",
                identity_result=data["identity_result"],
                identity_note=data.get("identity_note") or "",
                language=data["language"],
                email_file=data.get("eml"),
                email_subject=form.parsed_email.subject if form.parsed_email else "",
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        for notice in result.notices:
            messages.info(self.request, notice)
        return redirect("requests_app:receipt", pk=result.request.pk)


class ReceiptView(SupportMixin, DetailView):
    """After saving: the receipt number and the deadline, to read out to the caller."""

    template_name = "requests_app/support/receipt.html"
    context_object_name = "req"

    def get_queryset(self):
        qs = DataSubjectRequest.objects.select_related("subject").prefetch_related("items")
        if self.request.user.has_perm("requests_app.fulfil_request"):
            return qs
        return qs.filter(logged_by=self.request.user)  # support sees its own requests only

    def get_context_data(self, **kwargs):
        audit_record(self.object, Action.VIEW, fields=RECEIPT_FIELDS)
        return super().get_context_data(**kwargs)
