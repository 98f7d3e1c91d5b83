"""Admin behaviour shared by the apps."""


class ReadOnlyAdminMixin:
    """History, or data only imports and jobs write: shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def titled(list_filter, title):
    """`list_filter` under its own heading: Django heads a filter "By <field's name>", which reads badly for a
    date or a flag ("Nach erteilt")."""

    class Titled(list_filter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled
