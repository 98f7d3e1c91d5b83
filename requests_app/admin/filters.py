import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import RequestType


class TypeFilter(admin.SimpleListFilter):
    title = _("type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return RequestType.choices

    def queryset(self, request, queryset):
        return queryset.of_type(self.value()) if self.value() else queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("week", _("due this week")), ("open", _("open"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)
        if self.value() == "week":
            sunday = today + datetime.timedelta(days=6 - today.weekday())
            return queryset.open().filter(due_on__gte=today, due_on__lte=sunday)
        if self.value() == "open":
            return queryset.open()
        return queryset
