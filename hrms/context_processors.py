from django.http import HttpRequest

from hrms import policy


def roles(request: HttpRequest) -> dict:
    """The signed-in user's roles, for menus; the server still checks every action."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set()}
    return {"user_roles": policy.roles_of(user)}
