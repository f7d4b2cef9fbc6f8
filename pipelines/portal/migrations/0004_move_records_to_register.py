"""Receipts, reviews and explanations move to the register's app (`pipelines.register`):
their tables stay where they are, only Django's idea of their owner changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_explanation")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("Explanation"),
                migrations.DeleteModel("Review"),
                migrations.DeleteModel("Submission"),
            ]
        )
    ]
