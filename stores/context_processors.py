from stores.access import Grants, home_store_id


def access(request):
    """The user's permissions by name, and the store a store manager's pages are about."""
    return {"access": Grants(request.user), "home_store_id": home_store_id(request.user)}
