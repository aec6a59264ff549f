"""How a view hands back the reasons a request was refused."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def error_messages(source: ValidationError | forms.BaseForm) -> list[str]:
    """Every message of a refusal or of a bound form's errors, in order."""
    if isinstance(source, ValidationError):
        return source.messages
    return [message for errors in source.errors.values() for message in errors]


def flash_errors(request, source: ValidationError | forms.BaseForm) -> None:
    """Every message as one flash message, for the page the view redirects to."""
    messages.error(request, " ".join(error_messages(source)))
