from stores.access import role_of


def role(request):
    return {"user_role": role_of(request.user)}
