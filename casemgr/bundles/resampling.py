"""Resampling one image XObject in place, re-encoded as it came as far as a PDF allows.
Pure: pikepdf and Pillow, no Django. `images` decides which images, and to what size.

A JPEG stays a JPEG (decoded at half or a quarter size by libjpeg itself where it can, which
is fast), a 1-bit image stays 1-bit (CCITT Group 4, as scanners write it), anything else
becomes Flate with PNG predictors. Images with a mask or a soft mask, a /Decode array, more
than 8 bits a component, or a colour space other than grey or RGB (device, calibrated or
ICC) are not touched: resampling them right would take more than this module should know,
and a bundle may be larger but must never be wrong.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterable

import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image

JPEG_QUALITY = 85
MAX_PIXELS = 150_000_000  # more than a 1,200 dpi A4 scan; anything larger is left alone
BILEVEL_THRESHOLD = 170  # grey level under which a resampled 1-bit pixel is black

_GREY = (Name.DeviceGray, Name.CalGray)
_RGB = (Name.DeviceRGB, Name.CalRGB)
# Filters a PDF reader decodes and pikepdf can hand to Pillow; JPXDecode (JPEG 2000) and
# Crypt are left alone.
_DECODABLE = {
    Name.FlateDecode,
    Name.LZWDecode,
    Name.RunLengthDecode,
    Name.ASCII85Decode,
    Name.ASCIIHexDecode,
    Name.CCITTFaxDecode,
    Name.JBIG2Decode,
    Name.DCTDecode,
}


def resample(image: pikepdf.Stream, width: int, height: int) -> bool:
    """Resample the image XObject `image` to `width` × `height` pixels in place, keeping its
    colour space and, as far as a PDF allows, its kind of encoding. False, and the image
    untouched, when it cannot be done safely."""
    kind = kind_of(image)
    if kind is None:
        return False
    try:
        with warnings.catch_warnings():
            # Pillow warns of decompression bombs past 89 Mpx; MAX_PIXELS is the limit here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if kind == "jpeg":
                data, parms = _jpeg(image, width, height), None
            elif kind == "bilevel":
                data, parms = _bilevel(image, width, height)
            else:
                data, parms = _flate(image, width, height)
    except _UNDECODABLE:
        # pikepdf or Pillow could not decode it: the bundle keeps it as it is.
        return False
    if data is None:
        return False
    filter_ = {"jpeg": Name.DCTDecode, "bilevel": Name.CCITTFaxDecode}.get(kind, Name.FlateDecode)
    image.write(data, filter=filter_, decode_parms=parms)
    if parms is None and "/DecodeParms" in image:
        del image["/DecodeParms"]
    image.Width, image.Height = width, height
    image.BitsPerComponent = 1 if kind == "bilevel" else 8
    return True


_UNDECODABLE = (
    pikepdf.PikepdfError,  # a damaged stream, a JBIG2 image and no jbig2dec to decode it
    OSError,
    ValueError,
    NotImplementedError,
    Image.DecompressionBombError,
)


def kind_of(image: pikepdf.Stream) -> str | None:
    """How the image is re-encoded, "jpeg", "bilevel" or "flate", or None to leave it."""
    if any(key in image for key in ("/SMask", "/Mask", "/SMaskInData", "/Decode")):
        return None
    if image.get("/ImageMask", False):
        return None
    filters = _filters(image)
    if filters is None or not set(filters) <= _DECODABLE:
        return None
    try:
        bits = int(image.get("/BitsPerComponent", 0))
        pixels = int(image.Width) * int(image.Height)
    except (AttributeError, TypeError, ValueError):
        return None
    components = _components(image.get("/ColorSpace"))
    if components is None or not 0 < pixels <= MAX_PIXELS:
        return None
    if Name.DCTDecode in filters:
        # Only a JPEG on its own, with no parameters (a /ColorTransform saying the data is not
        # what its markers say would be lost).
        plain = filters == [Name.DCTDecode] and "/DecodeParms" not in image
        return "jpeg" if plain and bits == 8 else None
    if bits == 1 and components == 1:
        return "bilevel"
    return "flate" if bits == 8 else None


def _filters(image: pikepdf.Stream) -> list[Name] | None:
    value = image.get("/Filter")
    if value is None:
        return []
    if isinstance(value, Name):
        return [value]
    if isinstance(value, pikepdf.Array) and all(isinstance(item, Name) for item in value):
        return list(value)
    return None


def _components(space: object) -> int | None:
    """1 or 3 for grey and RGB colour spaces, None for any other."""
    if space in _GREY:
        return 1
    if space in _RGB:
        return 3
    if isinstance(space, pikepdf.Array) and len(space) == 2:
        family, parameters = space[0], space[1]
        if family in (Name.CalGray, Name.CalRGB):
            return 1 if family == Name.CalGray else 3
        if family == Name.ICCBased and isinstance(parameters, pikepdf.Stream):
            components = parameters.get("/N")
            return int(components) if components in (1, 3) else None
    return None


# Decoding, resizing, encoding


def _jpeg(image: pikepdf.Stream, width: int, height: int) -> bytes | None:
    picture = Image.open(io.BytesIO(image.read_raw_bytes()))
    if picture.format != "JPEG" or picture.mode not in ("L", "RGB"):
        return None
    if (1 if picture.mode == "L" else 3) != _components(image.get("/ColorSpace")):
        return None
    # libjpeg decodes at 1/2, 1/4 or 1/8 of the size directly: a 600 dpi page at 300 dpi
    # costs a twentieth of decoding it whole.
    picture.draft(picture.mode, (width, height))
    picture = _resized(picture, width, height)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _bilevel(image: pikepdf.Stream, width: int, height: int) -> tuple[bytes | None, object]:
    picture = pikepdf.PdfImage(image).as_pil_image()
    if picture.mode != "1":
        return None, None
    grey = _resized(picture.convert("L"), width, height)
    # A stroke one pixel wide at 600 dpi is half of a pixel at 300: kept, like any pixel
    # that is a third black.
    picture = grey.point(lambda level: 255 if level >= BILEVEL_THRESHOLD else 0).convert("1")
    out = io.BytesIO()
    stride = (width + 7) // 8
    # One strip, as a PDF's CCITT stream is the whole image.
    picture.save(out, format="TIFF", compression="group4", strip_size=stride * height)
    out.seek(0)
    with Image.open(out) as tiff:
        offsets = tiff.tag_v2[273]  # StripOffsets
        counts = tiff.tag_v2[279]  # StripByteCounts
        black_is_zero = tiff.tag_v2[262] == 1  # PhotometricInterpretation
    if len(offsets) != 1 or len(counts) != 1:
        return None, None
    data = out.getvalue()[offsets[0] : offsets[0] + counts[0]]
    # libtiff writes Pillow's 0 (black) as a 1 bit when the photometric is BlackIsZero.
    parms = Dictionary(K=-1, Columns=width, Rows=height, BlackIs1=black_is_zero)
    return data, parms


def _flate(image: pikepdf.Stream, width: int, height: int) -> tuple[bytes | None, object]:
    colours = _components(image.get("/ColorSpace"))
    size = (int(image.Width), int(image.Height))
    # 8 bits a component, no /Decode, no palette (see _kind): qpdf's decoding of the stream
    # (Flate, predictors, LZW...) is the picture's pixels as they are.
    pixels = image.read_bytes()
    if colours is None or len(pixels) != size[0] * size[1] * colours:
        return None, None
    picture = Image.frombytes("L" if colours == 1 else "RGB", size, pixels)
    del pixels
    picture = _resized(picture, width, height)
    out = io.BytesIO()
    # zlib's level 3: on scans, 10% larger than its default (6) in less than half the time.
    picture.save(out, format="PNG", compress_level=3)
    # A PNG's image data is a zlib stream of rows with their PNG filters: exactly what a
    # PDF's Flate with a PNG predictor reads.
    data = b"".join(_png_chunks(out.getvalue(), b"IDAT"))
    parms = Dictionary(Predictor=15, Colors=colours, BitsPerComponent=8, Columns=width)
    return data, parms


def _resized(picture: Image.Image, width: int, height: int) -> Image.Image:
    """`picture` at `width` × `height`: by whole factors, averaging blocks of pixels (a
    600 dpi page at 300 dpi in a twentieth of the time Lanczos takes), then by Lanczos for
    what is left."""
    factor = min(picture.width // width, picture.height // height)
    if factor >= 2:
        picture = picture.reduce(factor)
    if picture.size != (width, height):
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    return picture


def _png_chunks(png: bytes, kind: bytes) -> Iterable[bytes]:
    position = 8  # the signature
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        if png[position + 4 : position + 8] == kind:
            yield png[position + 8 : position + 8 + length]
        position += 12 + length
