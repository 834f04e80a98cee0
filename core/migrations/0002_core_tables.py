"""The moved tables take core's names (core_user, core_region …; their many-to-many tables follow) and
core's append-only triggers. Rows, sequences and indexes stay as they are."""


import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


OLD_TRIGGERS = [
    ("pgtrigger_access_log_append_only_bb9b3", "households_accesslog"),
    ("pgtrigger_append_only_f48f6", "households_workflowevent"),
    ("pgtrigger_append_only_0326a", "households_publicityobjection"),
]
DROP_HOUSEHOLD_FKS = """
DO $$
DECLARE c record;
BEGIN
  FOR c IN
    SELECT con.conname, con.conrelid::regclass AS tbl
    FROM pg_constraint con
    WHERE con.contype = 'f'
      AND con.conrelid IN ('households_workflowevent'::regclass, 'households_publicity'::regclass)
      AND con.confrelid = 'households_household'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
  END LOOP;
END $$;
"""
RENAME_SEQUENCES = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT DISTINCT s.relname AS seq
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
    JOIN pg_class t ON d.refobjid = t.oid
    WHERE s.relkind = 'S' AND t.relname LIKE 'core\\_%' AND s.relname LIKE 'households\\_%'
  LOOP
    EXECUTE format('ALTER SEQUENCE %I RENAME TO %I', r.seq, 'core_' || substr(r.seq, 12));
  END LOOP;
END $$;
"""
MOVED = ("user", "region", "accesslog", "backuprun", "workflowevent", "publicity", "publicityobjection")
MOVE_CONTENT_TYPES = (
    "UPDATE django_content_type SET app_label = 'core' WHERE app_label = 'households' AND model IN ("
    + ", ".join(f"'{m}'" for m in MOVED)
    + ")"
)


class Migration(migrations.Migration):

    # After every historical migration that still names the registry's tables, and after each
    # floor's foreign keys point at core.
    dependencies = [
        ('core', '0001_initial'),
        ('households', '0013_move_ground_floor_to_core'),
        ('programs', '0010_core_floor_foreign_keys'),
        ('assistance', '0012_core_floor_foreign_keys'),
        ('reports', '0005_core_floor_foreign_keys'),
    ]

    operations = [
        # The registry's append-only triggers on the moved tables give way to core's (same rule, new
        # names: pgtrigger names a trigger after its app and model).
        migrations.RunSQL(
            sql=[
                f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}()"
                for name, table in OLD_TRIGGERS
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
        # The chain sits below the registry: it keeps a household's id, not a foreign key to it.
        migrations.RunSQL(sql=DROP_HOUSEHOLD_FKS, reverse_sql=migrations.RunSQL.noop),
        # An existing database: the moved models' content types (and with them their permissions,
        # group grants and admin log entries) follow to core. A new database has none yet.
        migrations.RunSQL(sql=MOVE_CONTENT_TYPES, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterModelTable(
            name='accesslog',
            table=None,
        ),
        migrations.AlterModelTable(
            name='backuprun',
            table=None,
        ),
        migrations.AlterModelTable(
            name='publicity',
            table=None,
        ),
        migrations.AlterModelTable(
            name='publicityobjection',
            table=None,
        ),
        migrations.AlterModelTable(
            name='region',
            table=None,
        ),
        migrations.AlterModelTable(
            name='user',
            table=None,
        ),
        migrations.AlterModelTable(
            name='workflowevent',
            table=None,
        ),
        # Their id sequences follow the tables' names (core_user_id_seq …).
        migrations.RunSQL(sql=RENAME_SEQUENCES, reverse_sql=migrations.RunSQL.noop),
        # After the renames: the compiled triggers name the new tables.
        pgtrigger.migrations.AddTrigger(
            model_name='accesslog',
            trigger=pgtrigger.compiler.Trigger(name='access_log_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='36f046d2326fcaa5974117cce7afb51e23ce6347', operation='UPDATE OR DELETE', pgid='pgtrigger_access_log_append_only_624d1', table='core_accesslog', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='publicityobjection',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='6ea777e37a06404ad3c90f2b85f3c647dda3dbb5', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_be7a4', table='core_publicityobjection', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='workflowevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='6e04ae1d3a2f110330af90b91d5cc575587e365e', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_39fd0', table='core_workflowevent', when='BEFORE')),
        ),
    ]
