"""Admin behaviour shared by the apps."""


class ReadOnlyAdminMixin:
    """History, or data only imports and jobs write: shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
