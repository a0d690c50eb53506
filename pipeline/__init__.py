"""Pure text functions (no database, no network): normalise, de-identify, schemes, topics, urgency, near-duplicates, events, bursts."""
