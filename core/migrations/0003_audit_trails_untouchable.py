"""Audit trails nobody edits (issue 22, scenario 67).

The access log (个人信息查看记录), the workflow history and the login log (django-axes: sign-ins and
failed sign-ins) refuse UPDATE and DELETE in the database, for every role and for SQL run by the
application's own database user. core's pgtrigger triggers on the first two stay, but pgtrigger lets
a session skip them (`SET pgtrigger.ignore`); these triggers have no such door. The one write the
login log takes is axes recording the sign-out on its sign-in row (logout_time, once).

TRUNCATE fires no row trigger: the test suite's flush between transactional tests still works.

API tokens moved to django-rest-knox (stored as digests); the old table with clear keys is dropped."""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION fupin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除（%）', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION fupin_login_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.logout_time IS NULL THEN
        -- the sign-out time on the sign-in's row, and nothing else
        IF (to_jsonb(NEW) - 'logout_time') = (to_jsonb(OLD) - 'logout_time') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '登录日志只能追加，不能修改或删除（%）', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

APPEND_ONLY = ["core_accesslog", "core_workflowevent", "axes_accessfailurelog"]

TRIGGERS = "\n".join(
    [
        *(
            f"CREATE TRIGGER fupin_audit_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION fupin_audit_append_only();"
            for table in APPEND_ONLY
        ),
        "CREATE TRIGGER fupin_login_log_append_only BEFORE UPDATE OR DELETE ON axes_accesslog "
        "FOR EACH ROW EXECUTE FUNCTION fupin_login_log_append_only();",
    ]
)

DROP_TRIGGERS = "\n".join(
    [
        *(f"DROP TRIGGER IF EXISTS fupin_audit_append_only ON {table};" for table in APPEND_ONLY),
        "DROP TRIGGER IF EXISTS fupin_login_log_append_only ON axes_accesslog;",
        "DROP FUNCTION IF EXISTS fupin_audit_append_only();",
        "DROP FUNCTION IF EXISTS fupin_login_log_append_only();",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_core_tables"),
        ("axes", "0010_accessattemptexpiration"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(sql=FUNCTIONS + TRIGGERS, reverse_sql=DROP_TRIGGERS),
        # DRF's authtoken table kept every key in clear; its app is no longer installed.
        migrations.RunSQL(sql="DROP TABLE IF EXISTS authtoken_token CASCADE", reverse_sql=migrations.RunSQL.noop),
    ]
