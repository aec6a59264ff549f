from django.urls import path

from inspection import views

urlpatterns = [
    path("standards/<str:version>/rules.json", views.standard_rules_json, name="standard-rules"),
]
