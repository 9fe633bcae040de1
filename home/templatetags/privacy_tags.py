"""``{% personal_data_flows page %}``: on a council's privacy page, the flows of personal data (see
``home.privacy``); elsewhere nothing."""

from django import template

from home.privacy import personal_data_flows as flows_of
from home.selectors import council_for_page

register = template.Library()


@register.inclusion_tag("home/includes/personal_data_flows.html")
def personal_data_flows(page):
    council = council_for_page(page)
    if council is None or council.personal_data_page_id != page.pk:
        return {"shown": False}
    return {"shown": True, "council": council, "flows": flows_of(council=council)}
