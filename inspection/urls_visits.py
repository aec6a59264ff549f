# URLs of the visits pages. Everything lives under visits/ so that the service
# worker served from visits/sw.js controls the form pages.
from django.urls import path

from inspection.views import planning, review, visits

urlpatterns = [
    path("visits/", visits.inspector_home, name="inspector-home"),
    path("visits/month/", planning.inspector_own_month, name="inspector-month"),
    path("visits/sw.js", visits.service_worker, name="visit-service-worker"),
    path("visits/assignments/<int:pk>/start/", visits.assignment_start, name="assignment-start"),
    path("visits/<int:pk>/", visits.visit_form, name="visit-form"),
    path("visits/<int:pk>/draft/", visits.visit_autosave, name="visit-autosave"),
    path("visits/<int:pk>/photos/", visits.visit_photo_upload, name="visit-photo-upload"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", visits.visit_photo, name="visit-photo"),
    path(
        "visits/<int:pk>/photos/<int:photo_pk>/delete/",
        visits.visit_photo_delete,
        name="visit-photo-delete",
    ),
    path("visits/<int:pk>/summary/", visits.visit_summary, name="visit-summary"),
    path("visits/<int:pk>/submit/", visits.visit_submit, name="visit-submit"),
    path("visits/review/", review.review_list, name="review-list"),
    path("visits/review/<int:pk>/", review.review_detail, name="review-detail"),
    path("visits/review/<int:pk>/publish/", review.review_publish, name="review-publish"),
    path("visits/review/<int:pk>/return/", review.review_return, name="review-return"),
    path("visits/review/<int:pk>/amend/", review.review_amend, name="review-amend"),
    path("visits/plan/", planning.plan_month, name="plan-month"),
    path("visits/plan/auto/", planning.plan_autoplan, name="plan-autoplan"),
    path("visits/plan/add/", planning.plan_add, name="plan-add"),
    path("visits/plan/reassign/", planning.plan_reassign, name="plan-reassign"),
    path("visits/plan/inspectors/<int:pk>/", planning.plan_inspector, name="plan-inspector"),
    path("visits/plan/<int:pk>/delete/", planning.plan_delete, name="plan-delete"),
]
