"""Offline base maps of the SCO area.

Boundaries come from ``data/geo/sco_region_countries.geojson``: Natural Earth
4.1.0 Admin 0 at 1:50m, derived by ``scripts/make_basemap.py`` (provenance,
point of view on disputed borders and checksum in ``data/geo/README.md``).
Nothing is downloaded at run time.

Maps are drawn in an Albers equal-area conic projection centred on Central
Asia, so areas compare fairly (Kazakhstan is not inflated as in a plate
carrée map, Russia's north is not stretched as in Mercator).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from . import paths, style

#: Albers equal-area conic for the SCO area: standard parallels 25°N and
#: 60°N span the Maldives-to-Arctic range without large area or shape
#: distortion; the central meridian 90°E balances Belarus in the west and
#: Russia's Pacific coast in the east (75°E tilted the Far East).
PROJECTION = "+proj=aea +lat_1=25 +lat_2=60 +lat_0=45 +lon_0=90 +datum=WGS84 +units=m +no_defs"

#: Source id of the boundaries, for figures' source lines.
BOUNDARIES_SOURCE = "naturalearth-50m-4-1-0"
#: What a map's note says about its boundaries.
BOUNDARIES_NOTE = "Boundaries: Natural Earth 1:50m, de facto lines (see data/geo/README.md)."

#: Views, each as lon/lat points the frame must contain (a lon/lat box
#: would leave wide empty wedges once projected).
EXTENTS: dict[str, tuple[tuple[float, float], ...]] = {
    # Belarus and Egypt in the west, the Maldives in the south, Russia's Arctic
    # coast in the north, Sakhalin in the east
    "sco": ((23.0, 53.0), (25.0, 22.0), (73.5, 0.5), (80.0, 78.0), (104.0, 78.0), (143.0, 52.0), (110.0, 8.0)),
    "central_asia": ((46.0, 37.0), (50.0, 55.0), (87.0, 55.0), (96.0, 40.0), (75.0, 35.0)),
}
MARGIN = 0.03

GEOJSON = "geo/sco_region_countries.geojson"


@lru_cache(maxsize=1)
def _countries():
    import geopandas as gpd

    gdf = gpd.read_file(paths.data_dir() / GEOJSON)
    gdf["geometry"] = gdf.geometry.make_valid()
    return gdf.to_crs(PROJECTION)


def countries():
    """Country polygons (columns ``iso3``, ``name``, ``geometry``), projected."""
    return _countries().copy()


@lru_cache(maxsize=1)
def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)


def project(lons, lats):
    """Longitudes and latitudes (scalars or sequences) to map coordinates."""
    return _transformer().transform(lons, lats)


@lru_cache(maxsize=1)
def _paths() -> dict:
    """Each country's outline as matplotlib paths (built once: converting ~200 polygons per map was
    most of the time a map took)."""
    import numpy as np
    from matplotlib.path import Path

    def rings(poly):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            codes[0], codes[-1] = Path.MOVETO, Path.CLOSEPOLY
            yield xy, codes

    out = {}
    for iso3, geom in zip(_countries()["iso3"], _countries().geometry):
        if geom is None or geom.is_empty:
            continue
        polys = getattr(geom, "geoms", [geom])
        parts = [r for poly in polys if poly.geom_type == "Polygon" for r in rings(poly)]
        if parts:
            out[iso3] = Path(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return out


def _draw(ax, codes, facecolors, edgecolor, linewidth, zorder=1):
    from matplotlib.collections import PathCollection

    paths = _paths()
    codes = [c for c in codes if c in paths]
    coll = PathCollection(
        [paths[c] for c in codes],
        facecolors=facecolors if isinstance(facecolors, str) else [facecolors[c] for c in codes],
        edgecolors=edgecolor,
        linewidths=linewidth,
        zorder=zorder,
    )
    ax.add_collection(coll, autolim=False)
    return coll


def projected_extent(view: str | tuple[tuple[float, float], ...]) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) in map units framing a named view or lon/lat points."""
    points = EXTENTS[view] if isinstance(view, str) else view
    xs, ys = project([p[0] for p in points], [p[1] for p in points])
    dx, dy = (max(xs) - min(xs)) * MARGIN, (max(ys) - min(ys)) * MARGIN
    return min(xs) - dx, max(xs) + dx, min(ys) - dy, max(ys) + dy


def base_map(ax=None, extent: str | tuple = "sco", *, figsize=(11, 8)):
    """Draw the grey land of every country and frame the view.

    Returns the matplotlib Axes (a new figure if ``ax`` is None).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    _draw(ax, list(_paths()), style.LAND_COLOR, style.BORDER_COLOR, 0.6)
    xmin, xmax, ymin, ymax = projected_extent(extent)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    _bare(ax)
    return ax


def fit_figure(ax, *, title_inches: float = 0.6, legend_inches: float = 0.0) -> None:
    """Size the map's figure to the map: no empty band beside or below it.

    The axes fill the figure's width; the figure's height becomes the map's
    height at that width (its frame has a fixed aspect once projected) plus
    ``title_inches`` above and ``legend_inches`` below (a legend under the
    map). Call after :func:`base_map`, on a figure holding only this map.
    """
    fig = ax.figure
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    left, right = 0.01, 0.99
    width = fig.get_figwidth()
    map_height = width * (right - left) * abs(y1 - y0) / abs(x1 - x0)
    height = map_height + title_inches + legend_inches + 0.05
    fig.set_size_inches(width, height)
    fig.subplots_adjust(left=left, right=right, bottom=(legend_inches + 0.05) / height, top=1 - title_inches / height)


def _bare(ax) -> None:
    """No axis at all: geopandas labels projected axes ('Easting [metre]') and ticks them in metres;
    hidden with the axis, those texts still sit in the figure and collide with the source line."""
    ax.set_axis_off()
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])


def fill_countries(ax, colors: Mapping[str, str], *, highlight: tuple[str, ...] = (), edgecolor="#FFFFFF"):
    """Fill countries by ISO3 code with the given colours; outline ``highlight``.

    Unknown codes raise ``KeyError`` naming them, so a typo never passes silently.
    """
    gdf = countries()
    known = set(gdf["iso3"])
    missing = sorted((set(colors) | set(highlight)) - known)
    if missing:
        raise KeyError(f"not on the base map: {', '.join(missing)}")
    order = [c for c in gdf["iso3"] if c in colors]  # the file's order, as before
    _draw(ax, order, dict(colors), edgecolor, 0.6, zorder=1.1)
    if highlight:
        outlined = [c for c in gdf["iso3"] if c in set(highlight)]
        _draw(ax, outlined, "none", style.HIGHLIGHT_EDGE, 2.2, zorder=1.2)
    _bare(ax)
    return ax


def label_countries(ax, codes, *, fontsize: int = 10) -> None:
    """Write country codes at a point inside each country."""
    gdf = countries()
    for _, row in gdf[gdf["iso3"].isin(list(codes))].iterrows():
        pt = row.geometry.representative_point()
        ax.annotate(
            row["iso3"], (pt.x, pt.y), ha="center", va="center", fontsize=fontsize, color="#222222", fontweight="bold"
        )
