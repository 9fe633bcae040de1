from django.apps import AppConfig


class RefAppConfig(AppConfig):
    name = "bench.refapp"
    label = "bench_refapp"
    default_auto_field = "django.db.models.BigAutoField"
