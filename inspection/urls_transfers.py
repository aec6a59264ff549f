# URLs of the transfers pages.
urlpatterns: list = []
