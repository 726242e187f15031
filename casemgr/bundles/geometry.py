"""The bits of PDF geometry that stamping and resampling share: boxes read from a page, and
matrices composed as PDF composes them. Pure: no Django, no files."""

from __future__ import annotations

from collections.abc import Sequence

import pikepdf

Box = tuple[float, float, float, float]  # left, bottom, right, top
Matrix = Sequence[float]  # a b c d e f, as in a `cm` operator


def box(value: object) -> Box | None:
    """A /MediaBox, /CropBox or /Rect as (left, bottom, right, top), whichever corners it
    names; None when it is not four numbers enclosing something."""
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    try:
        x1, y1, x2, y2 = (float(number) for number in value)
    except (TypeError, ValueError):
        return None
    if x1 == x2 or y1 == y2:
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def times(m: Matrix, n: Matrix) -> tuple[float, ...]:
    """`m` then `n`, as PDF composes matrices (row vectors: [x y 1] m n; a `cm` is put
    before the current matrix)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def inverse(m: Matrix) -> tuple[float, ...]:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def apply(m: Matrix, x: float, y: float) -> list[float]:
    """The point (x, y) moved by `m`."""
    a, b, c, d, e, f = m
    return [a * x + c * y + e, b * x + d * y + f]
