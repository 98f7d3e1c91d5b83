from .context import actor_for, reset_actor, set_actor


class AuditRequestMiddleware:
    """Makes the logged-in user the actor of every audit entry written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(actor_for(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)
