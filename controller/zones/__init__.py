"""Screen zones (issue 15 point 3, docs/zones.md): a layout's main area, ticker strip
and clock corner.

- ``declarations``: ``config/layouts.yaml`` read, refused and imported;
- ``geometry``: a layout placed on a screen, in pixels;
- ``ticker``: the ticker's text from a playlist's items, and its strip drawn as a PNG;
- ``clock``: the clock's words in each language;
- ``timeline``: ``display.layout`` in a timeline, and the main area the slides fit;
- ``on_screen``: the strips' files and data items' texts in a rebuild;
- ``checks``: the import's check of the tickers' texts;
- ``completeness``: a ticker's playlist speaks every language of its screens.
"""
