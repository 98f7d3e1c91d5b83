from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("Data subjects")
    # Support looks subjects up and logs contacts; no payment, health or deletion rights.
    support_permissions = (
        "view_datasubject",
        "add_datasubject",
        "view_emailaddress",
        "add_emailaddress",
        "view_phonenumber",
        "add_phonenumber",
        "view_postaladdress",
        "view_order",
        "view_communication",
        "add_communication",
        "view_eventregistration",
        "view_trainingprogress",
    )
    # Not even the DPO deletes personal data by hand: it leaves through the erasure workflow and the sweep.
    dpo_excluded_permissions = tuple(
        f"delete_{model}"
        for model in (
            "datasubject",
            "emailaddress",
            "phonenumber",
            "postaladdress",
            "order",
            "paymentmethod",
            "communication",
            "eventregistration",
            "eventhealthdata",
            "trainingprogress",
            "surveyanswer",
            "interactionprofile",
            "adconversion",
        )
    )
