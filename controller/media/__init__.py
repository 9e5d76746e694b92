"""Media: the content-addressed store of images and videos."""
