# URLs of the visits pages.
urlpatterns: list = []
