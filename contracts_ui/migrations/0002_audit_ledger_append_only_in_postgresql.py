"""On PostgreSQL, the database itself refuses UPDATE, DELETE and TRUNCATE on the audit ledger.

The application already refuses them (AppendOnlyModel); these triggers also stop anyone with a
SQL prompt or a bug below the ORM. Recommended roles (see the README, "Running in production"):

- `console_owner` owns the tables and runs `manage.py migrate`; nobody logs in as it day to day.
- `console_app` is what DATABASE_URL names: on the audit tables only INSERT and SELECT, e.g.
  GRANT SELECT, INSERT ON contracts_ui_auditevent, contracts_ui_auditoutcome TO console_app;
  GRANT USAGE ON SEQUENCE contracts_ui_auditevent_id_seq, contracts_ui_auditoutcome_id_seq
  TO console_app; and the usual SELECT, INSERT, UPDATE, DELETE on every other table.

The one way past the TRUNCATE trigger is for a superuser (who could drop the trigger anyway) to
set `contracts_console.allow_audit_truncate = on` in their session, which test harnesses do to
empty tables between tests. Other databases (SQLite) keep only the application's refusal.
"""

from django.db import migrations

_TABLES = ("contracts_ui_auditevent", "contracts_ui_auditoutcome")

_FUNCTION = """
CREATE OR REPLACE FUNCTION contracts_ui_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('contracts_console.allow_audit_truncate', true) = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

_TRIGGERS = """
CREATE TRIGGER {table}_no_update_or_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION contracts_ui_audit_is_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION contracts_ui_audit_is_append_only();
"""

_DROP = """
DROP TRIGGER IF EXISTS {table}_no_update_or_delete ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_FUNCTION, params=None)
    for table in _TABLES:
        schema_editor.execute(_TRIGGERS.format(table=table), params=None)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _TABLES:
        schema_editor.execute(_DROP.format(table=table))
    schema_editor.execute("DROP FUNCTION IF EXISTS contracts_ui_audit_is_append_only();")


class Migration(migrations.Migration):
    dependencies = [("contracts_ui", "0001_initial")]

    operations = [migrations.RunPython(install_triggers, remove_triggers, elidable=False)]
