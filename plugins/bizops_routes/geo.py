"""Distances on the earth and China's map coordinate systems.

WGS-84 is what GPS and most of the world's maps use; maps published in China (Amap/Gaode, Tencent)
use GCJ-02, a WGS-84 position moved by an obfuscating offset of a few hundred metres, and Baidu Maps
uses BD-09, a further offset of GCJ-02. Distances between points of one system are right to a few
metres either way; mixing systems (a depot picked on Baidu Maps, stops from a GPS log) moves points by
hundreds of metres. The conversions below are the published formulas (the GCJ-02 offset as used in
the open-source eviltransform/coordtransform code, BD-09 from GCJ-02 by Baidu's published rotation);
the way back from GCJ-02 is iterated to well under a metre. Outside China no offset is applied.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_KM = 6371.0088  # mean earth radius (IUGG)
SYSTEMS = ("wgs84", "gcj02", "bd09")

_A = 6378245.0  # Krasovsky 1940 ellipsoid, as the GCJ-02 formulas use it
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km (arrays broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lng2) - np.asarray(lng1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix_km(lat, lng) -> np.ndarray:
    lat = np.asarray(lat, dtype=float)
    lng = np.asarray(lng, dtype=float)
    return np.asarray(haversine_km(lat[:, None], lng[:, None], lat[None, :], lng[None, :]))


def out_of_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlng(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    dlat = _dlat(lng - 105.0, lat - 35.0)
    dlng = _dlng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlng = (dlng * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The inverse of :func:`wgs84_to_gcj02`, by fixed-point iteration (converges in a few steps)."""
    if out_of_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(30):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        dlat, dlng = glat - lat, glng - lng
        wlat, wlng = wlat - dlat, wlng - dlng
        if abs(dlat) < 1e-10 and abs(dlng) < 1e-10:
            break
    return wlat, wlng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def convert(lat: float, lng: float, source: str, target: str) -> tuple[float, float]:
    """A point from one system (``wgs84``, ``gcj02``, ``bd09``) to another."""
    if source == target:
        return lat, lng
    if source == "bd09":
        lat, lng = bd09_to_gcj02(lat, lng)
    elif source == "wgs84":
        lat, lng = wgs84_to_gcj02(lat, lng)
    # now GCJ-02
    if target == "bd09":
        return gcj02_to_bd09(lat, lng)
    if target == "wgs84":
        return gcj02_to_wgs84(lat, lng)
    return lat, lng


def local_km(lat, lng, lat0: float, lng0: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions as km east and north of (lat0, lng0) (equirectangular: right to a fraction of a
    percent across a city), for drawing stops without map tiles."""
    lat = np.asarray(lat, dtype=float)
    lng = np.asarray(lng, dtype=float)
    east = np.radians(lng - lng0) * EARTH_KM * math.cos(math.radians(lat0))
    north = np.radians(lat - lat0) * EARTH_KM
    return east, north
