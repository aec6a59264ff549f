"""The standard's own texts (items, sections, bonus criteria) in the reader's language."""

from django import template

from inspection.rules import localized

register = template.Library()


@register.filter
def in_language(source, field: str) -> str:
    """`{{ item|in_language:"text" }}` picks `text_en` in English. Works on model
    instances and on the rules dicts the scorer reads, which carry the same keys."""
    if isinstance(source, dict):
        return localized(source.get(field, ""), source.get(f"{field}_en", ""))
    return localized(getattr(source, field), getattr(source, f"{field}_en", ""))
