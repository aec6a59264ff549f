"""What an import found: every bad cell by row and column, and what it would change.

A hostile or careless file can hold a bad cell in every row; the first
MAX_LISTED_ERRORS are kept to show, the rest only counted.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

MAX_LISTED_ERRORS = 200


@dataclass(frozen=True)
class CellError:
    """One bad cell of an uploaded spreadsheet: its row, its column header, and why.

    Row 0 is the file as a whole, row 1 its header row.
    """

    row: int
    column: str
    message: str


class CellErrors:
    """The bad cells of a file as they are found: all counted, the first ones kept."""

    def __init__(self):
        self.listed: list[CellError] = []
        self.count = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(CellError(row, column, message))

    def extend(self, errors: Iterable[CellError]) -> None:
        for error in errors:
            self.add(error.row, error.column, error.message)

    def __len__(self) -> int:
        return self.count


@dataclass
class ImportResult:
    """A dry run's or an import's outcome: counts of rows, or why nothing was imported."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The first MAX_LISTED_ERRORS bad cells, in the order the file holds them.
    errors: list[CellError] = field(default_factory=list)
    # Every bad cell, listed or not.
    error_count: int = 0

    @classmethod
    def of(cls, errors: CellErrors, *, rows: int) -> "ImportResult":
        return cls(rows=rows, errors=list(errors.listed), error_count=len(errors))

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def unlisted(self) -> int:
        return self.error_count - len(self.errors)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "ImportResult":
        errors = [CellError(**error) for error in data["errors"]]
        return cls(**{**data, "errors": errors})


def error_line(error: CellError) -> str:
    """How a command prints one bad cell; row 0 is the file as a whole."""
    if not error.row:
        return error.message
    return _("第%(row)s行 [%(column)s] %(message)s") % {
        "row": error.row,
        "column": error.column,
        "message": error.message,
    }


def summary_line(result: ImportResult, *, dry_run: bool) -> str:
    line = _("共%(rows)s行：新增%(created)s，更新%(updated)s，未变%(unchanged)s。") % {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    return _("（试运行，未写入）") + line if dry_run else line


def unlisted_line(result: ImportResult) -> str:
    return _("另有%(count)s处错误未列出。") % {"count": result.unlisted}


def command_finish(command: BaseCommand, result: ImportResult, *, dry_run: bool) -> None:
    """How an import command ends: the bad cells and a failure, or the counts."""
    if not result.ok:
        for error in result.errors:
            command.stderr.write(error_line(error))
        if result.unlisted:
            command.stderr.write(unlisted_line(result))
        raise CommandError(
            _("发现%(count)s处错误，没有导入任何数据。") % {"count": result.error_count}
        )
    command.stdout.write(summary_line(result, dry_run=dry_run))
