"""Optional per-app hooks (`<app>.defaults.load_defaults`, `<app>.demo.load_demo`): the core calls what exists."""

import importlib
from collections.abc import Iterable

from django.apps import apps

# The apps that may contribute to the default register and the demo, in the order they are called.
HOOK_APPS = ("retention", "consents", "screening", "requests_app")
# The demo's order: retention last, so that it backdates and holds what the others made and registers every record
# (the forecast and `retention_sweep --dry-run` then agree straight after load_demo).
DEMO_HOOK_APPS = ("consents", "screening", "requests_app", "retention")


def call_app_hooks(module: str, function: str, *, labels: Iterable[str] = HOOK_APPS, **kwargs) -> list:
    """Calls `<label>.<module>.<function>(**kwargs)` for every installed app that defines it; returns the results."""
    results = []
    for label in labels:
        if not apps.is_installed(label):
            continue
        try:
            hook_module = importlib.import_module(f"{label}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.{module}":
                raise  # a real import error inside the hook module
            continue
        results.append(getattr(hook_module, function)(**kwargs))
    return results
