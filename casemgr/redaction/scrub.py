"""What a redacted document may not carry beyond its pages' content: its metadata, comments,
links and form fields, attached files, scripts, thumbnails, and the private data programs
hide in it. Pure: no Django.

Each of these is a place where a redacted passage can survive (a comment quoting it, the old
title in the metadata, a thumbnail of the page as it was, an application's copy of the
artwork in /PieceInfo), or a way to run code on the other side's machine. They go from the
whole document, redacted pages or not. The writer then keeps only the objects still
referenced from the document, in a fresh file: nothing removed here is left in it.
"""

from __future__ import annotations

import pikepdf

# From the document catalogue. Outlines (bookmarks) and the structure tree go too: a bookmark's
# title or a tag's /Alt or /ActualText can quote a redacted heading or passage, and both point
# into pages that are now pictures.
_CATALOGUE = (
    "/Metadata",  # XMP
    "/AcroForm",  # form fields, XFA
    "/Names",  # /EmbeddedFiles, /JavaScript, named destinations and templates
    "/Dests",
    "/OpenAction",
    "/AA",
    "/Outlines",
    "/StructTreeRoot",
    "/MarkInfo",
    "/PieceInfo",
    "/Threads",
    "/SpiderInfo",
    "/Perms",
    "/Legal",
    "/Collection",  # a portfolio's view of its attachments
    "/AF",  # associated files (PDF 2.0)
    "/Requirements",
    "/URI",
)
_PAGE = (
    "/Annots",  # comments, links, widgets, file attachments, stamps
    "/AA",
    "/Thumb",
    "/B",  # article beads
    "/StructParents",
    "/PZ",
    "/ID",  # web capture
    "/SeparationInfo",
    "/LastModified",
    "/AF",
)
# From any dictionary or stream: XMP may hang on a page, an image or a form, and /PieceInfo
# on a page or a form holds an application's private data (Illustrator keeps its whole
# artwork there).
_ANYWHERE = ("/Metadata", "/PieceInfo", "/AF", "/StructParent")


def scrub(pdf: pikepdf.Pdf) -> None:
    """Remove all of the above from `pdf`, in place."""
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    root = pdf.Root
    for key in _CATALOGUE:
        if key in root:
            del root[key]
    if root.get("/PageMode") in (pikepdf.Name.UseOutlines, pikepdf.Name.UseAttachments):
        root.PageMode = pikepdf.Name.UseNone
    for page in pdf.pages:
        for key in _PAGE:
            if key in page.obj:
                del page.obj[key]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in _ANYWHERE:
                if key in obj:
                    del obj[key]
    pdf.remove_unreferenced_resources()
