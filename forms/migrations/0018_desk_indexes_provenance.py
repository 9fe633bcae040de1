from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forms', '0017_qf_check_campaign'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['council', 'is_health_data', '-submitted_at', '-id'], name='forms_dossier_desk_idx'),
        ),
    ]
