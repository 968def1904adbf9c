"""Trigram indexes for the staff list's search (PostgreSQL only).

The search is `LIKE '%…%'` over the folded name, the code and the citizen ID
(staff/filters.py, hrms/search.py); without these, every search reads the whole
table. Each index is on the exact expression the query uses, so the three
conditions become one BitmapOr. SQLite has no trigram indexes and keeps its scan.
"""

from django.db import migrations

# Frozen copy of hrms.search's folding table: the index must match the query's
# expression, so a change to the table needs a new migration.
_ACCENTED = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_PLAIN = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
INDEXES = {
    "staff_employee_name_trgm": (
        f"translate(lower(full_name), '{_ACCENTED}', '{_PLAIN}') gin_trgm_ops"
    ),
    "staff_employee_code_trgm": "upper(employee_code::text) gin_trgm_ops",
    "staff_employee_nid_trgm": "upper(national_id::text) gin_trgm_ops",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON staff_employee "
            f"USING gin ({expression})"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_load_discipline_rules")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
