"""Logins, failed logins and the admin's own change log feed the audit trail."""

import logging

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from audit.models import Action
from audit.services import event_record

log = logging.getLogger("audit")


@receiver(user_logged_in, dispatch_uid="audit-login")
def login_recorded(sender, request, user, **kwargs):
    event_record(action=Action.LOGIN, by=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def login_failure_recorded(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    log.warning("Failed login for %r", username)
    event_record(action=Action.LOGIN_FAILED, by=None, actor_name=username, request=request)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit-admin-change")
def admin_change_recorded(sender, instance: LogEntry, created, **kwargs):
    if not created:
        return
    content_type = instance.content_type
    event_record(
        action=Action.ADMIN_CHANGE,
        by=instance.user,
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_id or ""),
        object_repr=instance.object_repr,
        detail={
            "change": {ADDITION: "add", CHANGE: "change", DELETION: "delete"}.get(
                instance.action_flag, ""
            ),
            "message": instance.get_change_message(),
        },
    )
