"""Plain query functions behind every dashboard view (a session and a viewer in, rows or data frames out)."""

from dashboard.queries.event_detail import query_event_detail
from dashboard.queries.events import EventFilters, query_event_list
from dashboard.queries.overview import query_newest_mentions, query_overview_counts, query_urgent_events

__all__ = [
    "EventFilters",
    "query_event_detail",
    "query_event_list",
    "query_newest_mentions",
    "query_overview_counts",
    "query_urgent_events",
]
