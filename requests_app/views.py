"""The support desk at /support/: log a request in under a minute, see one's own queue, ask whether a person may be
contacted.

Support sees identity and contact data only (never special categories or payment data) and
fulfils nothing: that is the DPO's, in the admin.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, FormView, ListView

from audit.context import actor_for, set_actor
from audit.services import Action, Event, audit_list_view, audit_record, audit_record_many
from consents.selectors import may_contact
from subjects.models import DataSubject

from .forms import CONTACT_REASONS, ContactCheckForm, IntakeForm, SubjectSearchForm
from .models import DataSubjectRequest
from .selectors import OpenDuplicates, SubjectSearch, desk_requests, open_duplicates, subject_search, support_queue

# Fields of the log-in form shown when the session ran out mid-form, and the mark that an upload could not be kept.
RELOGIN_FIELDS = {"csrfmiddlewaretoken", "username", "password", "relogin", "had_upload"}


class SupportMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "requests_app.log_request"
    raise_exception = False
    # A form sent after the session ran out asks for the password and then goes on with what was typed.
    keeps_input_across_login = False

    @method_decorator(sensitive_post_parameters("password"))
    def dispatch(self, request, *args, **kwargs):
        if self.keeps_input_across_login and request.method == "POST" and not request.user.is_authenticated:
            return self.relogin(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            self.raise_exception = True  # logged in without the role: 403, not a login loop
        return super().handle_no_permission()

    def relogin(self, request, *args, **kwargs):
        """The session ran out while the form was open: log in again on the spot and go on, losing nothing typed.

        Only the sender's own input goes back to them, in hidden fields; an uploaded file cannot, so the form is then
        shown again to choose it, not sent.
        """
        had_upload = bool(request.FILES) or bool(request.POST.get("had_upload"))
        form = AdminAuthenticationForm(request, data=request.POST if "relogin" in request.POST else None)
        if form.is_valid() and not form.get_user().has_perms(self.get_permission_required()):
            # The password was right, the role is not: a refusal the trail keeps under that user's name (the page and
            # the permission only; nothing of what was typed).
            audit_record(
                None,
                Action.DENIED,
                actor=actor_for(form.get_user()),
                detail=f"support desk re-login refused at {request.path}: lacks {', '.join(self.get_permission_required())}",
            )
            # Refused before logging in: a 403 raised after it would roll the new session back with the request.
            form.add_error(None, _("Your role does not allow this page."))
        if form.is_valid():
            login(request, form.get_user())
            set_actor(actor_for(request.user))  # the audit middleware took the actor before the log-in
            if not had_upload:
                return super().dispatch(request, *args, **kwargs)
            # Shown again, not sent: the e-mail (evidence, and maybe the requester's name) is missing.
            messages.warning(request, _("An uploaded e-mail must be chosen again."))
            return self.render_draft(request)
        carried = [
            (name, value) for name in request.POST if name not in RELOGIN_FIELDS for value in request.POST.getlist(name)
        ]
        context = {"form": form, "carried": carried, "had_upload": had_upload}
        return render(request, "requests_app/support/relogin.html", context)


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


# The hidden field the desk's search form sends: a POST carrying it is a search, not the page's own form.
SEARCH = "search"
# What the desk shows of a chosen person above its form.
CHOSEN_FIELDS = ("first_name", "last_name", "customer_number")


class SubjectSearchMixin:
    """The search for a data subject and the person chosen from its results (`?subject=`), on the desk's forms.

    The search is sent by POST: the names, e-mail addresses and phone numbers typed into it stay out of URLs, browser
    histories and server logs. Only the chosen person's id goes into the URL. The page's own form carries the query
    along (hidden), so that the results stay on the page when that form comes back (errors, another language).
    """

    desk_page = ""  # names the page in the audit trail

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # What the page shows of the chosen person: audited once, with the page (views add what else they show).
        self.subject_fields_shown = set(CHOSEN_FIELDS)

    def is_search(self) -> bool:
        """Whether the search was sent, not the page's own form."""
        return self.request.method == "POST" and SEARCH in self.request.POST

    def post(self, request, *args, **kwargs):
        if self.is_search():
            return self.render_to_response(self.get_context_data())
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.is_search():
            # The page's form was not sent: shown as on arrival, not checked against the search's fields.
            kwargs.pop("data", None)
            kwargs.pop("files", None)
        return kwargs

    def chosen_subject(self) -> DataSubject | None:
        if not hasattr(self, "_chosen_subject"):
            pk = self.request.POST.get("subject") or self.request.GET.get("subject")
            self._chosen_subject = (
                DataSubject.objects.filter(pk=pk, erased_at__isnull=True)
                .prefetch_related("emailaddress_set", "phonenumber_set")
                .first()
                if pk and str(pk).isdigit()
                else None
            )
        return self._chosen_subject

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Bound only to a query sent: `?subject=` (a chosen person) is no empty search with "required" errors.
        query_sent = self.request.method == "POST" and "q" in self.request.POST
        search = SubjectSearchForm(self.request.POST if query_sent else None)
        found = subject_search(search.cleaned_data["q"]) if search.is_valid() else SubjectSearch([])
        if found.subjects:
            audit_record(
                None,
                Action.VIEW,
                fields=["first_name", "last_name", "customer_number", "emailaddress", "phonenumber"],
                detail="support subject search: " + ",".join(str(s.pk) for s in found.subjects),
            )
        subject = self.chosen_subject()
        if subject is not None:
            # Name and customer number above the form: whoever tries ids sees people, so each page showing one is
            # audited, once, with whatever else of the person it shows (field names only).
            audit_record(
                subject,
                Action.VIEW,
                fields=self.subject_fields_shown,
                detail=f"support chosen subject ({self.desk_page}): {subject.pk}",
            )
        context.update(
            search_form=search,
            search_results=found.subjects,
            search_similar=found.similar,
            # "Nobody found" only after a search that ran (not after "enter at least 2 characters").
            searched=search.is_bound and search.is_valid(),
            subject=subject,
        )
        return context


# What the intake form is filled with from a chosen person.
PREFILL_FIELDS = ("first_name", "last_name", "emailaddress", "phonenumber", "language")
# What the duplicate warning shows of a request named in it (others' requests are only counted).
DUPLICATE_FIELDS = ["items", "received_at", "receipt_number", "state"]


class DraftFormMixin:
    """A desk page's form shown again as typed, unchecked and unsaved, with the search results it carried: after a
    re-login (SupportMixin), and when the language buttons, which send the form along (`switch_language`), change
    the page's language."""

    def post(self, request, *args, **kwargs):
        language = request.POST.get("switch_language")
        if language:
            return self.switch_language(language)
        return super().post(request, *args, **kwargs)

    def switch_language(self, language: str):
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        translation.activate(language)
        self.request.LANGUAGE_CODE = language
        response = self.render_draft(self.request)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response

    def render_draft(self, request):
        kwargs = {k: v for k, v in self.get_form_kwargs().items() if k not in ("data", "files")}
        form_class = self.get_form_class()
        form = form_class(**{**kwargs, "initial": form_class.draft(request.POST)})
        return self.render_to_response(self.get_context_data(form=form))


class IntakeView(SupportMixin, DraftFormMixin, SubjectSearchMixin, FormView):
    template_name = "requests_app/support/intake.html"
    form_class = IntakeForm
    keeps_input_across_login = True
    desk_page = "intake"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        subject = self.chosen_subject()
        kwargs["subject"] = subject
        if self.request.method == "GET" and subject is not None:
            email = next(iter(subject.emailaddress_set.all()), None)
            phone = next(iter(subject.phonenumber_set.all()), None)
            # Shown to support like a search result: audited with the chosen person (get_context_data).
            self.subject_fields_shown.update(PREFILL_FIELDS)
            kwargs["initial"] = {
                "subject": subject.pk,
                "requester_name": " ".join(p for p in (subject.first_name, subject.last_name) if p),
                "requester_email": email.email if email else "",
                "requester_phone": phone.number if phone else "",
                "language": subject.language,
            }
        return kwargs

    def form_valid(self, form):
        from .services import request_log

        data = form.cleaned_data
        subject = data.get("subject")
        if not data.get("confirm_duplicate"):
            duplicates = open_duplicates(
                self.request.user,
                subject=subject,
                requester_email=data.get("requester_email") or "",
                requester_name=data.get("requester_name") or "",
                kinds=data["kinds"],
            )
            if duplicates:
                self.audit_duplicates(duplicates, subject)
                context = self.get_context_data(
                    form=form, duplicates=duplicates.named, duplicates_counted=len(duplicates.counted)
                )
                return self.render_to_response(context)
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

    def audit_duplicates(self, duplicates: OpenDuplicates, subject: DataSubject | None) -> None:
        """The duplicate warning tells of other requests (and so of the person): by id, what was named, what counted."""
        label = DataSubjectRequest._meta.label_lower
        subject_id = subject.pk if subject is not None else None
        events = []
        if duplicates.named:
            ids = ",".join(str(d.pk) for d in duplicates.named)
            detail = f"support intake duplicate warning, named: {ids}"
            events.append(Event(Action.VIEW, label, subject_id=subject_id, fields=DUPLICATE_FIELDS, detail=detail))
        if duplicates.counted:
            ids = ",".join(map(str, duplicates.counted))
            detail = f"support intake duplicate warning, counted only: {ids}"
            events.append(Event(Action.VIEW, label, subject_id=subject_id, fields=["items", "state"], detail=detail))
        audit_record_many(events)


class ReceiptView(SupportMixin, DetailView):
    """After saving: the receipt number and the deadline, to read out to the caller."""

    template_name = "requests_app/support/receipt.html"
    context_object_name = "req"

    def get_queryset(self):
        # Support sees its own requests only.
        return desk_requests(self.request.user).select_related("subject").prefetch_related("items")

    def get_context_data(self, **kwargs):
        audit_record(self.object, Action.VIEW, fields=RECEIPT_FIELDS)
        return super().get_context_data(**kwargs)


class ContactCheckView(SupportMixin, DraftFormMixin, SubjectSearchMixin, FormView):
    """May we contact this person for this purpose on this channel (R22)? One answer, with its reasons in words.

    Sent by POST: an e-mail address asked about stays out of URLs and server logs.
    """

    template_name = "requests_app/support/contact_check.html"
    form_class = ContactCheckForm
    keeps_input_across_login = True
    desk_page = "contact check"

    def get_initial(self):
        subject = self.chosen_subject()
        return {"subject": subject.pk} if subject else {}

    def form_valid(self, form):
        data = form.cleaned_data
        subject, email = data.get("subject"), data.get("email") or None
        decision = may_contact(purpose_code=data["purpose"], channel=data["channel"], subject=subject, email=email)
        # What the answer rests on is the person's consents and objections: audited by id, purpose and channel only.
        audit_record(
            subject,
            Action.VIEW,
            fields=["consent", "objection"],
            detail=f"support contact check: {data['purpose']} by {data['channel']}"
            + ("" if subject else " for an e-mail address"),
        )
        reasons = [CONTACT_REASONS.get(code, code) for code in decision.reasons]
        return self.render_to_response(self.get_context_data(form=form, decision=decision, reasons=reasons))
