from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from audit.models import AuditEvent
from config.middleware import client_ip


def event_record(
    *,
    action: str,
    by: AbstractBaseUser | None,
    target: models.Model | None = None,
    detail: Mapping | None = None,
    request=None,
    actor_name: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event. `target` names the object acted on (or `object_*` do, for
    one that is not at hand); `detail` holds what a reader needs even after the
    object changed or went (JSON-serialisable)."""
    authenticated = by is not None and by.is_authenticated
    if target is not None:
        object_type, object_id, object_repr = target._meta.label_lower, str(target.pk), str(target)
    return AuditEvent.objects.create(
        actor=by if authenticated else None,
        actor_name=by.get_username() if authenticated else actor_name[:150],
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        detail=dict(detail or {}),
        ip=client_ip(request) if request is not None else None,
    )
