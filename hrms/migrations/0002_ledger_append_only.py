"""On PostgreSQL, make the audit ledger table append-only (DESIGN.md §3).

Row triggers refuse UPDATE and DELETE; a statement trigger refuses TRUNCATE of a
non-empty ledger unless the session sets `hrms.ledger_allow_truncate = on`, which a
test-database flush needs and which no application code sets. Other databases get
nothing: there `verify_ledger` is the only guard.
"""

from django.db import migrations

FUNCTION = "hrms_ledgerentry_append_only"
ROW_TRIGGER = "hrms_ledgerentry_no_update_delete"
TRUNCATE_TRIGGER = "hrms_ledgerentry_no_truncate"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF coalesce(current_setting('hrms.ledger_allow_truncate', true), '') = 'on' THEN
            RETURN NULL;
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit ledger entries are append-only'
        USING DETAIL = format('%s on %s refused', TG_OP, TG_TABLE_NAME);
END;
$$
"""


def _table(apps, schema_editor):
    model = apps.get_model("hrms", "LedgerEntry")
    return schema_editor.quote_name(model._meta.db_table)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _table(apps, schema_editor)
    schema_editor.execute(CREATE_FUNCTION, params=None)  # keep % as is
    schema_editor.execute(
        f"CREATE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = _table(apps, schema_editor)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {table}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("hrms", "0001_core_records"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
