from .organisation import Organisation, SupervisoryAuthority
from .register import (
    DataCategory,
    LegalBasis,
    ProcessingActivity,
    Recipient,
    SpecialCategoryBasis,
    System,
    TransferBasis,
)

__all__ = [
    "DataCategory",
    "LegalBasis",
    "Organisation",
    "ProcessingActivity",
    "Recipient",
    "SpecialCategoryBasis",
    "SupervisoryAuthority",
    "System",
    "TransferBasis",
]
