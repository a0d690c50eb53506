"""Outbound alerts: the outbox table, message building and delivery by SMTP, local .eml folder or webhook."""
