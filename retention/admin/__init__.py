"""The DPO's retention back office: rules (with a forecast), legal holds, sweep runs and their protocol, and what the
engine adds to every kind of record's admin. Importing the modules registers them."""

from . import confirmation, holds, records, rules, runs  # noqa: F401
