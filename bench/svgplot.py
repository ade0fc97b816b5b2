"""A small SVG line-chart writer for bench/scaling (no plotting package needed): panels side by side,
each with its axes, ticks, labels and a log or linear scale, and one legend for the figure."""
import math
from xml.sax.saxutils import escape

PANEL_W, PANEL_H = 460, 330  # one panel, margins included
LEFT, RIGHT, TOP, BOTTOM = 70, 15, 40, 50
LEGEND_H = 30


def nice_ticks(low, high, log):
    """Tick values covering [low, high]: 1-2-5 per decade on a log scale, a 1-2-5 step otherwise."""
    if log:
        ticks = []
        for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
            ticks += [m * 10.0 ** e for m in (1, 2, 5)]
        return [t for t in ticks if low <= t <= high]
    raw = (high - low) / 5
    step = min((m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw))
    return [i * step for i in range(math.ceil(low / step), math.floor(high / step) + 1)]


def rounded(value, up):
    """The nearest 1-2-5 value at or above (up) or at or below value, for a log axis's ends."""
    steps = [m * 10.0 ** e for e in range(math.floor(math.log10(value)) - 1, math.ceil(math.log10(value)) + 1)
             for m in (1, 2, 5)]
    return min(t for t in steps if t >= value * (1 - 1e-9)) if up else max(t for t in steps if t <= value * (1 + 1e-9))


def label(value):
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def panel(p, x0):
    """SVG elements of one panel at horizontal offset x0; p: title, xlabel, ylabel, xlog, ylog, series,
    optionally hline (a value marked by a grey line). A series: label, color, dash, points [(x, y)]."""
    points = [pt for s in p["series"] for pt in s["points"]]
    xs, ys = [x for x, _ in points], [y for _, y in points] + ([p["hline"]] if "hline" in p else [])
    xlo, xhi = min(xs), max(xs)
    if p["ylog"]:
        ylo, yhi = rounded(min(ys), False), rounded(max(ys), True)
    else:
        ylo, yhi = 0, max(ys) * 1.1
    w, h = PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM
    f = math.log if p["xlog"] else float
    g = math.log if p["ylog"] else float
    sx = lambda x: x0 + LEFT + (f(x) - f(xlo)) / (f(xhi) - f(xlo)) * w
    sy = lambda y: TOP + h - (g(y) - g(ylo)) / (g(yhi) - g(ylo)) * h
    out = [f'<text x="{x0 + LEFT + w / 2}" y="{TOP - 15}" text-anchor="middle" font-weight="bold">{escape(p["title"])}</text>',
           f'<rect x="{x0 + LEFT}" y="{TOP}" width="{w}" height="{h}" fill="none" stroke="#444"/>']
    for x in sorted(set(xs)):
        out.append(f'<line x1="{sx(x):.1f}" y1="{TOP + h}" x2="{sx(x):.1f}" y2="{TOP + h + 5}" stroke="#444"/>')
        out.append(f'<text x="{sx(x):.1f}" y="{TOP + h + 18}" text-anchor="middle">{x:g}</text>')
    for y in nice_ticks(ylo, yhi, p["ylog"]):
        out.append(f'<line x1="{x0 + LEFT}" y1="{sy(y):.1f}" x2="{x0 + LEFT + w}" y2="{sy(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{x0 + LEFT - 6}" y="{sy(y) + 4:.1f}" text-anchor="end">{label(y)}</text>')
    out.append(f'<text x="{x0 + LEFT + w / 2}" y="{TOP + h + 40}" text-anchor="middle">{escape(p["xlabel"])}</text>')
    out.append(f'<text transform="translate({x0 + 18},{TOP + h / 2}) rotate(-90)" text-anchor="middle">'
               f'{escape(p["ylabel"])}</text>')
    if "hline" in p:  # a reference value, such as parity on a ratio
        y = sy(p["hline"])
        out.append(f'<line x1="{x0 + LEFT}" y1="{y:.1f}" x2="{x0 + LEFT + w}" y2="{y:.1f}" stroke="#888" stroke-width="1.5"/>')
    for s in p["series"]:
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s["points"])
        out.append(f'<polyline points="{path}" fill="none" stroke="{s["color"]}" stroke-width="2" '
                   f'stroke-dasharray="{s.get("dash", "none")}"/>')
        out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3" fill="{s["color"]}"/>' for x, y in s["points"]]
    return out


def write(path, panels):
    """Writes the panels side by side with one legend (the first panel's series) underneath."""
    width, height = PANEL_W * len(panels), PANEL_H + LEGEND_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, p in enumerate(panels):
        out += panel(p, i * PANEL_W)
    x = LEFT
    for s in panels[0]["series"]:
        y = PANEL_H + LEGEND_H / 2
        out.append(f'<line x1="{x}" y1="{y}" x2="{x + 30}" y2="{y}" stroke="{s["color"]}" stroke-width="2" '
                   f'stroke-dasharray="{s.get("dash", "none")}"/>')
        out.append(f'<text x="{x + 36}" y="{y + 4}">{escape(s["label"])}</text>')
        x += 50 + 7 * len(s["label"])
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
