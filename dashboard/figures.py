"""Plotly figures built from query data frames; compact and labelled in Chinese."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

FONT = "Microsoft YaHei, PingFang SC, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def _base(title: str, height: int = 270) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        title={"text": title, "font": {"size": 14}, "x": 0.01},
        height=height,
        margin={"l": 45, "r": 10, "t": 36, "b": 36},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "y": -0.2, "font": {"size": 11}},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        # Keep zoom and legend choices when the data refresh replaces the figure.
        uirevision="keep",
    )
    figure.update_xaxes(gridcolor="#eeeeee")
    figure.update_yaxes(gridcolor="#eeeeee", rangemode="tozero")
    return figure


def _empty(figure: go.Figure, text: str = "暂无数据") -> go.Figure:
    figure.add_annotation(
        text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14, "color": "#888888"}
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


# Tick labels by bin width: clock times for minutes, date and hour for hours, dates for days.
HEAT_TICKS = [(60, "%H:%M<br>%m-%d"), (1440, "%m-%d %H时"), (None, "%m-%d")]


def make_heat_figure(df: pd.DataFrame, title: str = "热度走势") -> go.Figure:
    """An event's heat in bins that suit its span (df.attrs bin_minutes, bin_label): mentions as bars spanning their
    bin, distinct sources and negative mentions as lines at the bins' middles."""
    minutes = df.attrs.get("bin_minutes", 60)
    figure = _base(f"{title}({df.attrs.get('bin_label', '每小时')})", height=260)
    if df.empty:
        return _empty(figure)
    middle = df["hour"] + pd.Timedelta(minutes=minutes / 2)
    hover = "%{x|%m-%d %H:%M}:%{y} 条<extra>%{fullData.name}</extra>"
    figure.add_bar(
        x=middle,
        y=df["mentions"],
        name="信息数",
        marker_color="#5b8def",
        width=minutes * 60_000 * 0.9,
        hovertemplate=hover,
    )
    figure.add_scatter(
        x=middle, y=df["sources"], name="来源数", mode="lines+markers", line={"color": "#2e7d32"}, hovertemplate=hover
    )
    figure.add_scatter(
        x=middle, y=df["negative"], name="负面信息", mode="lines", line={"color": "#c62828"}, hovertemplate=hover
    )
    tick = next(fmt for limit, fmt in HEAT_TICKS if limit is None or minutes < limit)
    start, end = df["hour"].min(), df["hour"].max() + pd.Timedelta(minutes=minutes)
    # A lone bin still gets an axis a few bins wide, not a bar filling the chart.
    pad = max(pd.Timedelta(minutes=minutes) * 2, (end - start) * 0.02)
    figure.update_xaxes(type="date", tickformat=tick, range=[start - pad, end + pad], nticks=8)
    figure.update_yaxes(tickformat="d", dtick=1 if df["mentions"].max() < 5 else None)  # counts: whole numbers
    return figure


def make_topic_time_figure(df: pd.DataFrame, title: str) -> go.Figure:
    """Counts per day stacked by topic (columns day, topic, count)."""
    figure = _base(title)
    if df.empty:
        return _empty(figure)
    table = df.pivot_table(index="day", columns="topic", values="count", aggfunc="sum", fill_value=0).sort_index()
    for topic in table.sum().sort_values(ascending=False).index:
        figure.add_bar(x=list(table.index), y=table[topic].tolist(), name=str(topic))
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    return figure


def make_topic_village_figure(df: pd.DataFrame, title: str = "领域 × 村 热力图(相关信息数)") -> go.Figure:
    """A heat map of counts per topic (rows) and village (columns)."""
    figure = _base(title, height=290)
    if df.empty:
        return _empty(figure)
    table = df.pivot_table(index="topic", columns="village", values="count", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    figure.add_heatmap(
        z=table.values.tolist(),
        x=[str(c) for c in table.columns],
        y=[str(i) for i in table.index],
        colorscale="OrRd",
        hovertemplate="%{y} · %{x}:%{z} 条<extra></extra>",
        colorbar={"thickness": 10},
    )
    figure.update_yaxes(rangemode="normal")
    return figure


def make_negative_share_figure(df: pd.DataFrame, title: str = "负面信息占比(每日)") -> go.Figure:
    """The daily share of negative mentions as a line, with the daily total as faint bars."""
    figure = _base(title)
    if df.empty:
        return _empty(figure)
    figure.add_bar(x=df["day"], y=df["total"], name="相关信息数", marker_color="#d0d7e5", yaxis="y2")
    figure.add_scatter(
        x=df["day"], y=(df["share"] * 100).round(1), name="负面占比(%)", mode="lines+markers", line={"color": "#c62828"}
    )
    figure.update_layout(
        yaxis={"title": "负面占比(%)", "range": [0, 100]},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "rangemode": "tozero"},
    )
    figure.update_xaxes(type="category")
    return figure
