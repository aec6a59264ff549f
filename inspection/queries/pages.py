"""One page of a long list, and the short run of page links the templates show
(`templates/inspection/_pagination.html`)."""

from django.core.paginator import Paginator


def paginate(rows, per_page: int, number) -> dict:
    """The page asked for (the last one past the end, the first for nonsense) and the
    page numbers around it and at both ends, with the paginator's ellipsis for the gaps,
    so that the links stay few however many pages there are."""
    page = Paginator(rows, per_page).get_page(number)
    links = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {"page": page, "page_range": list(links)}
