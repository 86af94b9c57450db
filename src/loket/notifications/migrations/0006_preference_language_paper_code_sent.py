from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_message_pinned_provider")]

    operations = [
        migrations.AddField(
            model_name="contactpoint",
            name="code_sent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="preference",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English"), ("de", "Deutsch")],
                default="",
                max_length=2,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="preference",
            name="paper_only",
            field=models.BooleanField(blank=True, default=None, null=True, verbose_name="paper only"),
        ),
    ]
