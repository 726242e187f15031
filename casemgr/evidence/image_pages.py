"""The page an image is put on in its PDF rendition: A4, the paper of the courts' guidance
and the bundle's other pages. Pure: img2pdf's layout function, no Django.

img2pdf on its own makes the page the image's own size at the resolution the file states,
or at 96 dpi when it states none, as most phone and camera JPEGs do: a 4000 × 3000 photo
became a 42-inch page on which the bundle's 10-point page number was a speck.

Here the page is A4, turned landscape for an image wider than tall. An image that fits the
page at its own size (a scan of an A4 page at its scanning resolution, a screenshot) is drawn
at that size, centred; a larger one is shrunk in proportion to fit within MARGIN of every
edge; none is enlarged. The image's own bytes are embedded as they are.

EXIF orientation: img2pdf passes the image's stored width and height to the layout and then
turns the whole page with /Rotate as the orientation asks. So a photo stored 4000 × 3000 and
meant to be seen upright (orientation 6) is laid out on a landscape page, which /Rotate 90
shows as a portrait A4 page with the photo the right way up.
"""

from __future__ import annotations

import img2pdf

A4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))  # points, portrait
MARGIN = img2pdf.mm_to_pt(10)  # between a shrunk image and every edge of the page


def a4_layout(width_px: int, height_px: int, dpi: tuple[float, float]):
    """img2pdf's `layout_fun`: (page width, page height, image width, image height) in
    points, for an image of `width_px` × `height_px` pixels at `dpi`."""
    short, long = A4
    page_width, page_height = (long, short) if width_px > height_px else (short, long)
    width = img2pdf.px_to_pt(width_px, dpi[0])
    height = img2pdf.px_to_pt(height_px, dpi[1])
    # A rounding's grace: a 300 dpi scan of A4 is 2480 pixels, 595.2 points of 595.28.
    if width <= page_width + 0.5 and height <= page_height + 0.5:
        return page_width, page_height, width, height
    scale = min((page_width - 2 * MARGIN) / width, (page_height - 2 * MARGIN) / height)
    return page_width, page_height, width * scale, height * scale
