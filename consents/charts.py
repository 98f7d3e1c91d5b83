"""A server-rendered bar chart (inline SVG, no JavaScript): consents given / confirmed / withdrawn per month."""

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

SERIES = (("given", "#2e7d32"), ("confirmed", "#1565c0"), ("withdrawn", "#c62828"))
BAR, GAP, HEIGHT, TOP, BOTTOM = 10, 14, 120, 16, 34


def consent_chart_svg(rows: list[dict]) -> str:
    """rows as from selectors.purpose_event_counts; one group of three bars per month."""
    peak = max([1] + [row[key] for row in rows for key, _c in SERIES])
    group = BAR * len(SERIES) + GAP
    width = group * len(rows) + GAP
    parts = []
    labels = {"given": _("given"), "confirmed": _("confirmed"), "withdrawn": _("withdrawn")}
    for i, row in enumerate(rows):
        x0 = GAP + i * group
        for j, (key, colour) in enumerate(SERIES):
            value = row[key]
            h = round(HEIGHT * value / peak)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}: {}</title></rect>',
                    x0 + j * BAR,
                    TOP + HEIGHT - h,
                    BAR - 1,
                    h,
                    colour,
                    date_format(row["month"], "M Y"),
                    labels[key],
                    value,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
                x0 + BAR * len(SERIES) / 2,
                TOP + HEIGHT + 12,
                date_format(row["month"], "M y"),
            )
        )
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="9" height="9" fill="{}"></rect><text x="{}" y="{}" font-size="10">{}</text>',
        (
            (GAP + k * 110, TOP + HEIGHT + 22, colour, GAP + k * 110 + 13, TOP + HEIGHT + 30, labels[key])
            for k, (key, colour) in enumerate(SERIES)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}"><text x="{}" y="11" font-size="10">{}: {}</text>{}{}</svg>',
        _("Consents per month"),
        max(width, 360),
        TOP + HEIGHT + BOTTOM,
        max(width, 360),
        TOP + HEIGHT + BOTTOM,
        GAP,
        _("maximum"),
        peak,
        mark_safe("".join(parts)),  # noqa: S308  (each part built by format_html above)
        legend,
    )
