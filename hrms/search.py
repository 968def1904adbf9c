"""Name search the way people type Vietnamese names: without case and without
diacritics ("nguyen van an", "NGUYỄN", "đinh" and "dinh" all find "Đinh Văn An").

`fold(text)` is the Python side; `Folded(expression)` is the same folding in SQL,
so the search stays one query on either database:

- PostgreSQL: `translate(lower(x), <accented letters>, <plain letters>)` (lower()
  folds Vietnamese capitals under a UTF-8 database);
- SQLite: its LIKE and lower() fold ASCII only, so the connection gets a
  deterministic `hrms_fold(x)` function written in Python.
"""

from __future__ import annotations

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from django.dispatch import receiver

# Precomposed Vietnamese lower-case letters (NFC) and the plain letter each folds
# to; capitals are lowered first.
_ACCENTED = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_PLAIN = "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + "u" * 11 + "y" * 5 + "d"
assert len(_ACCENTED) == len(_PLAIN)
_TABLE = str.maketrans(_ACCENTED, _PLAIN)


def fold(text: str | None) -> str:
    """Lower-case, NFC, Vietnamese diacritics removed."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", text).lower().translate(_TABLE)


class Folded(Func):
    """`fold()` of a text column, in SQL (elsewhere: lower() only)."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="hrms_fold", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = f"translate(lower(%(expressions)s), '{_ACCENTED}', '{_PLAIN}')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


@receiver(connection_created)
def _register_sqlite_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("hrms_fold", 1, fold, deterministic=True)
