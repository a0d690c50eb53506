"""Dashboard views, one module per page (imported by Dash, not directly)."""
