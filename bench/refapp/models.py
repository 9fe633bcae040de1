"""Wagtail's own form builder, untouched: what the form builder's speed is compared with."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField


class BareFormField(AbstractFormField):
    page = ParentalKey("BareFormPage", on_delete=models.CASCADE, related_name="form_fields")


class BareFormPage(AbstractEmailForm):
    template = "bench_refapp/bare_form_page.html"
    landing_page_template = "bench_refapp/bare_form_page_landing.html"
