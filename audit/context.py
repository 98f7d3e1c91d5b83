"""Who is acting in this request or job, so services can audit without threading the user through."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(None, "system")

_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("audit_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return SYSTEM
    return Actor(user.pk, user.get_username())


def set_actor(actor: Actor) -> contextvars.Token:
    return _current.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    _current.reset(token)
