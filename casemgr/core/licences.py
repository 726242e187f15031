"""The licences of what casemgr runs on, read from the installed packages' own metadata.

casemgr is Apache-2.0. A firm runs it in-house and may adapt it, so nothing it imports may
bind that firm to publish its changes or its other code: permissive licences are fine, and
so are weak copyleft ones (LGPL, MPL) for libraries used as published; GPL and AGPL code is
refused. `manage.py dependency_licences` prints the table in the README and checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PERMISSIVE = frozenset(
    {
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD",
        "ISC",
        "MIT",
        "MIT-CMU",
        "MIT-0",
        "CC0-1.0",
        "CNRI-Python",
        "HPND",
        "PSF-2.0",
        "Python-2.0",
        "Unlicense",
        "0BSD",
        "Zlib",
        # Libraries bundled in a binary wheel (PDFium's, in pypdfium2)
        "FTL",
        "IJG",
        "libpng-2.0",
        "libtiff",
        "Unicode-3.0",
    }
)
# Libraries imported as published: their own changes would be shared, casemgr's never.
WEAK_COPYLEFT = frozenset(
    {
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "MPL-1.1",
        "MPL-2.0",
    }
)

# Trove classifiers and free-text License fields as SPDX identifiers.
_NAMES = {
    "OSI Approved :: BSD License": "BSD",
    "OSI Approved :: MIT License": "MIT",
    "OSI Approved :: Apache Software License": "Apache-2.0",
    "OSI Approved :: ISC License (ISCL)": "ISC",
    "OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "OSI Approved :: GNU Library or Lesser General Public License (LGPL)": "LGPL-2.1-only",
    "OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "OSI Approved :: zlib/libpng License": "Zlib",
    "OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": (
        "LGPL-2.1-or-later"
    ),
    "OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "MIT License": "MIT",
    "BSD License": "BSD",
    "Apache 2.0": "Apache-2.0",
    "Apache License 2.0": "Apache-2.0",
    "Apache Software License": "Apache-2.0",
    "Apache-2": "Apache-2.0",
    "new BSD": "BSD-3-Clause",
    "New BSD": "BSD-3-Clause",
    "BSD 3-Clause": "BSD-3-Clause",
    "3-Clause BSD License": "BSD-3-Clause",
}


# Packages whose metadata holds no licence a machine can read (free text), with the SPDX
# expression read by hand from the licence files they ship, for the version pinned: a new
# version is refused until someone reads them again.
_READ_BY_HAND = {
    ("pypdfium2", "5.15.2"): (
        # The bindings (either licence); PDFium (BSD-3-Clause) and what its build bundles:
        # abseil and highway (Apache-2.0), lcms2, HarfBuzz, fast_float and simdutf (MIT),
        # OpenJPEG (BSD-2-Clause), FreeType (its FTL, offered beside GPL-2.0), ICU
        # (Unicode-3.0), libjpeg-turbo (IJG and BSD-3-Clause), libpng, libtiff, zlib; and
        # Anti-Grain Geometry 2.3, whose notice permits any use.
        "(Apache-2.0 OR BSD-3-Clause) AND BSD-3-Clause AND Apache-2.0 AND MIT AND "
        "BSD-2-Clause AND FTL AND Unicode-3.0 AND IJG AND libpng-2.0 AND libtiff AND Zlib"
    ),
}


PERMISSIVE_VERDICT = "permissive"
WEAK_VERDICT = "weak copyleft, used as published"
REFUSED = "refused"


def _verdict(combination: str) -> str:
    terms = {t for t in re.split(r"\s+(?:AND|WITH)\s+|[()\s]", combination) if t}
    if terms and terms <= PERMISSIVE:
        return PERMISSIVE_VERDICT
    if terms and terms <= PERMISSIVE | WEAK_COPYLEFT:
        return WEAK_VERDICT
    return REFUSED


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str  # an SPDX expression, or "" when the package does not say
    pinned: bool  # named in the requirements file, not only needed by another package

    @property
    def verdict(self) -> str:
        # Offered under several licences ("A OR B"), casemgr takes the most permissive one;
        # a combination ("A AND B") binds to all of its parts.
        verdicts = [_verdict(choice) for choice in re.split(r"\s+OR\s+", self.licence)]
        for verdict in (PERMISSIVE_VERDICT, WEAK_VERDICT):
            if verdict in verdicts:
                return verdict
        return REFUSED


def requirements(path: Path) -> list[Requirement]:
    """The requirements pinned in `path`, following `-r other.txt`."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirements(path.parent / line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def packages(path: Path) -> list[Package]:
    """Every package the requirements in `path` install, with what each pulls in, as they
    are installed here (sorted by name)."""
    pinned = {canonicalize_name(r.name) for r in requirements(path)}
    seen: dict[str, Package] = {}
    todo = [(r, ()) for r in requirements(path)]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python (a marker said so)
        seen[name] = Package(dist.metadata["Name"], dist.version, licence(dist), name in pinned)
        wanted = set(requirement.extras) | set(extras)
        for text in dist.requires or []:
            needed = Requirement(text)
            if needed.marker is None or any(
                needed.marker.evaluate({**default_environment(), "extra": extra})
                for extra in wanted or {""}
            ):
                todo.append((needed, ()))
    return sorted(seen.values(), key=lambda p: p.name.lower())


def licence(dist: metadata.Distribution) -> str:
    """The package's licence as an SPDX expression, from the most precise field it fills."""
    meta = dist.metadata
    by_hand = _READ_BY_HAND.get((canonicalize_name(meta["Name"]), dist.version))
    if by_hand:
        return by_hand
    if meta.get("License-Expression"):
        return meta["License-Expression"].strip()
    # The free-text field when it names a licence; some hold the whole text, or "Dual
    # License", and their classifiers say more.
    choices = (meta.get("License") or "").strip().split(" OR ")
    text = " OR ".join(_NAMES.get(c.strip(), c.strip()) for c in choices)
    if any(_verdict(choice) != REFUSED for choice in text.split(" OR ")):
        return text
    names = [
        _NAMES.get(c.removeprefix("License :: "), c.removeprefix("License :: "))
        for c in meta.get_all("Classifier") or []
        if c.startswith("License :: ")
    ]
    return " OR ".join(dict.fromkeys(names))


def table(items: list[Package]) -> str:
    """The Markdown table for the README."""
    rows = ["| package | version | licence | verdict |", "|---|---|---|---|"]
    for item in items:
        rows.append(f"| {item.name} | {item.version} | {item.licence or '?'} | {item.verdict} |")
    return "\n".join(rows)
