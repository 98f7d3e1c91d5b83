"""The DPO's side of data-subject requests: the list with its deadlines, and fulfilment on the request page."""

from .request_admin import DataSubjectRequestAdmin

__all__ = ["DataSubjectRequestAdmin"]
