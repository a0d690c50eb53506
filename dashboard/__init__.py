"""The dashboard for duty officers, offices and leaders: `dashboard.app.create_app(app)` builds it."""
