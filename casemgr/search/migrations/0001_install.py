from django.db import migrations


def install(apps, schema_editor):
    from casemgr.search import schema

    schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from casemgr.search import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_exhibit_pages"),
        ("timeline", "0002_text_limits"),
        ("pleadings", "0002_text_limits"),
        ("matters", "0002_text_limits"),
        ("deadlines", "0002_text_limits"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
