"""iCalendar files of the agenda (RFC 5545), written with the ``icalendar`` library."""

from django.utils import timezone
from icalendar import Calendar, Event


def calendar_for(name: str, events, request) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Portail famille//Agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for page in events:
        event = Event()
        event.add("uid", f"event-{page.pk}@{request.get_host().split(':')[0]}")
        event.add("dtstamp", page.last_published_at or timezone.now())
        event.add("dtstart", page.start)
        if page.end:
            event.add("dtend", page.end)
        event.add("summary", page.title)
        event.add("location", page.place)
        event.add("description", page.summary)
        event.add("url", page.get_full_url(request))
        calendar.add_component(event)
    return calendar.to_ical()
