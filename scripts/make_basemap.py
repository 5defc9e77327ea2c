#!/usr/bin/env python3
"""Regenerate data/geo/sco_region_countries.geojson from Natural Earth.

Developer-time tool, never run by users: it fetches the npm package
``world-atlas@2.0.2`` (Natural Earth 4.1.0 admin-0 countries as TopoJSON,
prepared by Mike Bostock) into a temporary folder, verifies its checksum,
decodes ``countries-50m.json`` (Natural Earth 1:50m, quantized to 1e5, not
simplified), attaches ISO 3166-1 alpha-3 codes from the explicit table below,
clips to the SCO area and writes deterministic GeoJSON.

Usage::

    python scripts/make_basemap.py                    # runs `npm pack world-atlas@2.0.2`
    python scripts/make_basemap.py --tarball world-atlas-2.0.2.tgz   # offline

Only the standard library, shapely 2 and geopandas/pyogrio (for the final
read-back check) are used.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

PACKAGE = "world-atlas"
VERSION = "2.0.2"
# `npm view world-atlas@2.0.2 dist.integrity`
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
MEMBER = "package/countries-50m.json"
NATURAL_EARTH_VERSION = "4.1.0"

# Clip window (lon_min, lat_min, lon_max, lat_max), EPSG:4326 degrees.
BOX = (10.0, 0.0, 150.0, 82.0)
# Russia is kept whole up to the antimeridian (its tip east of 180° is cut).
RUSSIA_BOX = (10.0, 0.0, 180.0, 82.0)
GRID = 1e-4  # output precision: 4 decimals
OUT = Path(__file__).resolve().parents[1] / "data" / "geo" / "sco_region_countries.geojson"

# ISO 3166-1 numeric (world-atlas `id`, from Natural Earth ISO_N3) -> (alpha-3, name).
# Every feature that reaches the clip window must be listed; the script stops
# otherwise. Names are common English short names (Natural Earth abbreviates
# some, e.g. "Bosnia and Herz."; "Macedonia" is updated to "North Macedonia").
NUMERIC_TO_ISO3: dict[str, tuple[str, str]] = {
    "004": ("AFG", "Afghanistan"),
    "008": ("ALB", "Albania"),
    "012": ("DZA", "Algeria"),
    "031": ("AZE", "Azerbaijan"),
    "040": ("AUT", "Austria"),
    "048": ("BHR", "Bahrain"),
    "050": ("BGD", "Bangladesh"),
    "051": ("ARM", "Armenia"),
    "064": ("BTN", "Bhutan"),
    "070": ("BIH", "Bosnia and Herzegovina"),
    "096": ("BRN", "Brunei"),
    "100": ("BGR", "Bulgaria"),
    "104": ("MMR", "Myanmar"),
    "112": ("BLR", "Belarus"),
    "116": ("KHM", "Cambodia"),
    "120": ("CMR", "Cameroon"),
    "140": ("CAF", "Central African Republic"),
    "144": ("LKA", "Sri Lanka"),
    "148": ("TCD", "Chad"),
    "156": ("CHN", "China"),
    "158": ("TWN", "Taiwan"),
    "178": ("COG", "Republic of the Congo"),
    "180": ("COD", "Democratic Republic of the Congo"),
    "191": ("HRV", "Croatia"),
    "196": ("CYP", "Cyprus"),
    "203": ("CZE", "Czechia"),
    "208": ("DNK", "Denmark"),
    "226": ("GNQ", "Equatorial Guinea"),
    "231": ("ETH", "Ethiopia"),
    "232": ("ERI", "Eritrea"),
    "233": ("EST", "Estonia"),
    "246": ("FIN", "Finland"),
    "248": ("ALA", "Åland Islands"),
    "250": ("FRA", "France"),  # NE ISO_A3 is -99 for France, ISO_N3 is fine
    "262": ("DJI", "Djibouti"),
    "266": ("GAB", "Gabon"),
    "268": ("GEO", "Georgia"),
    "275": ("PSE", "Palestine"),
    "276": ("DEU", "Germany"),
    "300": ("GRC", "Greece"),
    "316": ("GUM", "Guam"),
    "336": ("VAT", "Vatican City"),
    "344": ("HKG", "Hong Kong"),
    "348": ("HUN", "Hungary"),
    "356": ("IND", "India"),
    "360": ("IDN", "Indonesia"),
    "364": ("IRN", "Iran"),
    "368": ("IRQ", "Iraq"),
    "376": ("ISR", "Israel"),
    "380": ("ITA", "Italy"),
    "392": ("JPN", "Japan"),
    "398": ("KAZ", "Kazakhstan"),
    "400": ("JOR", "Jordan"),
    "404": ("KEN", "Kenya"),
    "408": ("PRK", "North Korea"),
    "410": ("KOR", "South Korea"),
    "414": ("KWT", "Kuwait"),
    "417": ("KGZ", "Kyrgyzstan"),
    "418": ("LAO", "Laos"),
    "422": ("LBN", "Lebanon"),
    "428": ("LVA", "Latvia"),
    "434": ("LBY", "Libya"),
    "440": ("LTU", "Lithuania"),
    "446": ("MAC", "Macao"),
    "458": ("MYS", "Malaysia"),
    "462": ("MDV", "Maldives"),
    "470": ("MLT", "Malta"),
    "496": ("MNG", "Mongolia"),
    "498": ("MDA", "Moldova"),
    "499": ("MNE", "Montenegro"),
    "512": ("OMN", "Oman"),
    "524": ("NPL", "Nepal"),
    "562": ("NER", "Niger"),
    "566": ("NGA", "Nigeria"),
    "578": ("NOR", "Norway"),  # NE ISO_A3/ISO_N3 are -99; world-atlas sets 578 via SOV_A3
    "580": ("MNP", "Northern Mariana Islands"),
    "583": ("FSM", "Micronesia"),
    "585": ("PLW", "Palau"),
    "586": ("PAK", "Pakistan"),
    "608": ("PHL", "Philippines"),
    "616": ("POL", "Poland"),
    "634": ("QAT", "Qatar"),
    "642": ("ROU", "Romania"),
    "643": ("RUS", "Russia"),
    "674": ("SMR", "San Marino"),
    "682": ("SAU", "Saudi Arabia"),
    "688": ("SRB", "Serbia"),
    "702": ("SGP", "Singapore"),
    "703": ("SVK", "Slovakia"),
    "704": ("VNM", "Vietnam"),
    "705": ("SVN", "Slovenia"),
    "706": ("SOM", "Somalia"),
    "728": ("SSD", "South Sudan"),
    "729": ("SDN", "Sudan"),
    "752": ("SWE", "Sweden"),
    "756": ("CHE", "Switzerland"),
    "760": ("SYR", "Syria"),
    "762": ("TJK", "Tajikistan"),
    "764": ("THA", "Thailand"),
    "784": ("ARE", "United Arab Emirates"),
    "788": ("TUN", "Tunisia"),
    "792": ("TUR", "Turkey"),
    "795": ("TKM", "Turkmenistan"),
    "800": ("UGA", "Uganda"),
    "804": ("UKR", "Ukraine"),
    "807": ("MKD", "North Macedonia"),
    "818": ("EGY", "Egypt"),
    "860": ("UZB", "Uzbekistan"),
    "887": ("YEM", "Yemen"),
}

# Natural Earth units with ISO_N3 = -99 (world-atlas leaves their id empty).
# They have no ISO 3166-1 code; we use codes from ISO's user-assigned range
# X.. so that they can never collide with a real code. XKX is the code
# Kosovo is commonly given (EU, World Bank); the others are ours.
NO_ISO_BY_NAME: dict[str, tuple[str, str]] = {
    "Kosovo": ("XKX", "Kosovo"),
    "N. Cyprus": ("XNC", "Northern Cyprus"),
    "Somaliland": ("XSL", "Somaliland"),
    "Siachen Glacier": ("XSG", "Siachen Glacier"),
    "Indian Ocean Ter.": ("XIO", "Australian Indian Ocean Territories"),
}


def fetch_tarball(dest: Path) -> Path:
    """Download the pinned npm package with `npm pack` into ``dest``."""
    out = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(dest), "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    filename = json.loads(out)[0]["filename"]
    return dest / filename


def check_integrity(tarball: Path) -> None:
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        sys.exit(f"{tarball}: checksum mismatch (got sha512-{digest})")


def read_topology(tarball: Path) -> dict:
    with tarfile.open(tarball, "r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            sys.exit(f"{MEMBER} not found in {tarball}")
        return json.load(io.TextIOWrapper(member, encoding="utf-8"))


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode quantized TopoJSON arcs to lon/lat positions."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_coords(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    """Stitch arcs (negative index ~i = arc i reversed) into a closed ring."""
    coords: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        coords.extend(pts if not coords else pts[1:])
    return coords


def unwrap(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring continuous across the antimeridian.

    world-atlas stitches Natural Earth's antimeridian cuts (``geostitch``), so
    a ring such as Chukotka jumps from +180 to -180. Unwrapping keeps each step
    under 180 degrees; a ring that ends up west of -180 is shifted by +360 so
    that such rings sit at 180..190 and are cut off by the clip window.
    """
    out = [coords[0]]
    offset = 0.0
    for (x0, _), (x1, y1) in zip(coords, coords[1:]):
        step = x1 - x0
        if step > 180:
            offset -= 360
        elif step < -180:
            offset += 360
        out.append((x1 + offset, y1))
    if min(x for x, _ in out) < -180:
        out = [(x + 360, y) for x, y in out]
    return out


def polygon(arcs: list, rings: list[list[int]]) -> Polygon:
    shell, *holes = (unwrap(ring_coords(arcs, r)) for r in rings)
    return Polygon(shell, holes)


def to_shape(arcs: list, geom: dict):
    if geom["type"] == "Polygon":
        return polygon(arcs, geom["arcs"])
    if geom["type"] == "MultiPolygon":
        return MultiPolygon([polygon(arcs, p) for p in geom["arcs"]])
    raise ValueError(f"unexpected geometry type {geom['type']}")


def identify(geom: dict) -> tuple[str, str]:
    gid, ne_name = geom.get("id"), geom["properties"]["name"]
    if gid is None:
        if ne_name not in NO_ISO_BY_NAME:
            raise KeyError(f"feature without ISO numeric id not handled: {ne_name!r}")
        return NO_ISO_BY_NAME[ne_name]
    if gid not in NUMERIC_TO_ISO3:
        raise KeyError(f"ISO numeric id {gid} ({ne_name!r}) missing from NUMERIC_TO_ISO3")
    return NUMERIC_TO_ISO3[gid]


def rounded(obj):
    """Round nested coordinate tuples to 4 decimals (exact grid values)."""
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], float):
        return [round(v, 4) + 0.0 for v in obj]  # + 0.0 turns -0.0 into 0.0
    return [rounded(o) for o in obj]


def build(topo: dict) -> list[dict]:
    arcs = decode_arcs(topo)
    features = []
    seen = set()
    for geom in topo["objects"]["countries"]["geometries"]:
        # Antarctica, Fiji, ... lie wholly south of the window: skip before
        # building shapes (Antarctica's ring circles the pole and cannot unwrap).
        north = max(y for i in _flatten(geom["arcs"]) for _, y in arcs[i if i >= 0 else ~i])
        if north < BOX[1]:
            continue
        shape = to_shape(arcs, geom)
        if not shape.is_valid:
            raise ValueError(f"{geom['properties']['name']}: invalid after unwrapping")
        iso3_guess = NUMERIC_TO_ISO3.get(geom.get("id"), ("", ""))[0]
        window = shapely.box(*(RUSSIA_BOX if iso3_guess == "RUS" else BOX))
        clipped = shape.intersection(window)
        clipped = shapely.set_precision(clipped, GRID)
        polys = [g for g in getattr(clipped, "geoms", [clipped]) if isinstance(g, Polygon) and not g.is_empty]
        if not polys:
            continue
        iso3, name = identify(geom)
        if iso3 in seen:
            raise ValueError(f"duplicate iso3 {iso3}")
        seen.add(iso3)
        polys = [orient(p, sign=1.0) for p in polys]  # RFC 7946: exterior rings counter-clockwise
        out = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        if not out.is_valid:
            raise ValueError(f"{name}: invalid after clipping/rounding")
        gj = mapping(out)
        features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso3, "name": name},
                "geometry": {"type": gj["type"], "coordinates": rounded(gj["coordinates"])},
            }
        )
    features.sort(key=lambda f: f["properties"]["iso3"])
    return features


def _flatten(nested):
    for item in nested:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def write(features: list[dict], path: Path) -> bytes:
    """One feature per line, fixed key order: byte-identical on every run."""
    head = (
        '{"type":"FeatureCollection",'
        '"name":"sco_region_countries",'
        f'"source":"Natural Earth {NATURAL_EARTH_VERSION} admin-0 countries 1:50m via npm {PACKAGE}@{VERSION}",'
        '"features":[\n'
    )
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    data = (head + body + "\n]}\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def check(path: Path) -> None:
    import geopandas as gpd

    t0 = time.perf_counter()
    gdf = gpd.read_file(path)
    elapsed = time.perf_counter() - t0
    required = "CHN RUS KAZ KGZ TJK UZB TKM IND PAK IRN BLR MNG AFG TUR EGY SAU QAT ARE KWT BHR MDV MMR KHM LAO LKA NPL ARM AZE".split()
    missing = sorted(set(required) - set(gdf["iso3"]))
    invalid = gdf.loc[~gdf.is_valid, "iso3"].tolist()
    print(f"features: {len(gdf)}; crs: {gdf.crs}; bounds: {[round(float(b), 4) for b in gdf.total_bounds]}")
    print(f"read with geopandas in {elapsed:.3f} s; invalid: {invalid or 'none'}; missing: {missing or 'none'}")
    if missing or invalid or gdf["iso3"].duplicated().any():
        sys.exit("check failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"local {PACKAGE}-{VERSION}.tgz (else: npm pack)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        check_integrity(tarball)
        topo = read_topology(tarball)
    data = write(build(topo), args.out)
    print(f"wrote {args.out} ({len(data):,} bytes) sha256 {hashlib.sha256(data).hexdigest()}")
    check(args.out)


if __name__ == "__main__":
    main()
