"""Pano player: plays a screen's timeline from a local cache, online or offline."""

__version__ = "0.1.0"
SOFTWARE = f"pano-player/{__version__}"
