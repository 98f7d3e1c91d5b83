"""The three roles and their least privileges, as permissions of Django groups.

DPO: everything in the portal's apps. Auditor: view only, without special categories
or payment data. Support: what each app lists in its AppConfig `support_permissions`.
Groups are created by a migration; their permissions are (re)set after every migrate,
because permissions only exist once all apps are migrated.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

DPO = "DPO"
SUPPORT = "Support"
AUDITOR = "Auditor"
ROLES = (DPO, SUPPORT, AUDITOR)

PORTAL_APPS = ("dpo_portal", "audit", "subjects", "retention", "consents", "requests_app", "screening")

# Values an auditor must not read (special categories), and what they may not change.
AUDITOR_EXCLUDED = {
    "subjects.view_special_category",
    "subjects.view_payment_data",
    "subjects.view_eventhealthdata",
    "consents.export_audience",  # lists of people to contact: marketing's tool, not proof
}


def starts_at_support_desk(user) -> bool:
    """Support logs requests and fulfils none: its start page is the desk, not the admin."""
    return user.has_perm("requests_app.log_request") and not user.has_perm("requests_app.fulfil_request")


def _portal_permissions():
    return Permission.objects.filter(content_type__app_label__in=PORTAL_APPS).select_related("content_type")


def role_permissions() -> dict[str, set[str]]:
    """Permission names ("app_label.codename") per role."""
    every = {f"{p.content_type.app_label}.{p.codename}" for p in _portal_permissions()}
    support: set[str] = set()
    dpo_excluded: set[str] = set()
    for label in PORTAL_APPS:
        if apps.is_installed(label):
            config = apps.get_app_config(label)
            support |= {p if "." in p else f"{label}.{p}" for p in getattr(config, "support_permissions", ())}
            dpo_excluded |= {p if "." in p else f"{label}.{p}" for p in getattr(config, "dpo_excluded_permissions", ())}
    auditor = {p for p in every if p.split(".", 1)[1].startswith("view_")} - AUDITOR_EXCLUDED
    auditor |= {p for p in every if p.split(".", 1)[1].startswith("export_") and p not in AUDITOR_EXCLUDED}
    return {DPO: every - dpo_excluded, SUPPORT: support & every, AUDITOR: auditor}


def sync_role_permissions(sender=None, **kwargs) -> None:
    """Gives each role group exactly its permissions (creating the groups if a migration has not)."""
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if sender is not None and sender.label != last.label:
        return  # once per migrate: after the last app, when every permission exists
    wanted = role_permissions()
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in _portal_permissions()}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[name] for name in wanted[role] if name in by_name])
