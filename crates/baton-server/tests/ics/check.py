"""Reads an iCalendar file with an independent parser (the `icalendar` and
`recurring-ical-events` packages, not Baton's code), expands its events between two instants
and prints what it found as JSON, for the Rust tests in tests/api/calendars.rs to check.

Usage: check.py FILE FROM TO   (FROM and TO as 2026-03-01T00:00:00Z)
Without the packages it prints one line `skipped: ...` and exits 0; the Rust side decides
whether a skip is allowed (not with CI=true).
"""

import json
import sys
from datetime import date, datetime, timezone

try:
    import icalendar
    import recurring_ical_events
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(0)


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shown(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def main():
    path, start, end = sys.argv[1:4]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    errors = [
        str(error)
        for component in calendar.walk()
        for error in getattr(component, "errors", [])
    ]
    found = recurring_ical_events.of(calendar).between(instant(start), instant(end))
    events = []
    for event in found:
        attendees = event.get("ATTENDEE") or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        events.append(
            {
                "uid": text(event, "UID"),
                "summary": text(event, "SUMMARY"),
                "start": shown(event.decoded("DTSTART")),
                "end": shown(event.decoded("DTEND")) if "DTEND" in event else None,
                "status": text(event, "STATUS"),
                "transp": text(event, "TRANSP"),
                "sequence": int(event.get("SEQUENCE", 0)),
                "organizer": text(event, "ORGANIZER"),
                "attendees": sorted(str(a) for a in attendees),
                "description": text(event, "DESCRIPTION"),
            }
        )
    events.sort(key=lambda e: (e["start"], e["uid"] or ""))
    print(
        json.dumps(
            {
                "method": text(calendar, "METHOD"),
                "version": text(calendar, "VERSION"),
                "prodid": text(calendar, "PRODID"),
                "errors": errors,
                "events": events,
            }
        )
    )


main()
