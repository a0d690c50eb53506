"""The page shown for an address the dashboard does not have."""

from __future__ import annotations

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="页面不存在", title="页面不存在")


def layout(**_query):
    """A note in Chinese and a way back."""
    return html.Div([html.Div("页面不存在。", className="notice notice-warn"), dcc.Link("返回值班总览", href="/")])
