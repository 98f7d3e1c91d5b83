"""Processing that needs the person's consent, checked where the data is entered; the consents app answers.

Sharing a participant's name, company and e-mail address with the other participants of an event rests on
consent only (section C of the privacy policy). The registration records whether it is shared; whether the
person consented is the consents app's to say, so it registers the answer here (AppConfig.ready) and the core
does not import it. Without the consents app installed nothing is refused.
"""

from collections.abc import Callable

# name -> callable(subject_id) -> bool
GATES: dict[str, Callable[[int], bool]] = {}

PARTICIPANT_SHARING_GATE = "participant_sharing"


def register_gate(name: str, allowed: Callable[[int], bool]) -> None:
    GATES[name] = allowed


def allowed(name: str, subject_id: int | None) -> bool:
    gate = GATES.get(name)
    return gate is None or (subject_id is not None and gate(subject_id))
