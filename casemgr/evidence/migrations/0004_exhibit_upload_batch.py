from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_rendition_format"),
    ]

    operations = [
        migrations.AddField(
            model_name="exhibit",
            name="upload_batch",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="exhibit",
            name="upload_position",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
    ]
