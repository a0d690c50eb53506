"""The response workflow: lifecycle actions, routing, deadlines, escalation, response evidence and effect."""
