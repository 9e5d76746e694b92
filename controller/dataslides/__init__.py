"""Data items (issue 15, docs/sources.md "Data items"): live records of a data source
drawn into slides through a template declared once in ``config/data_templates.yaml``.

- :mod:`~controller.dataslides.templates`: the templates (columns, per-language labels
  and titles, max rows, sorting), read from YAML and kept in ``data_templates``;
- :mod:`~controller.dataslides.table`: records + template → the cells of a slide (pure);
- :mod:`~controller.dataslides.draw`: a :class:`DataSlideSpec` drawn with the text
  slides' fonts, shaping, line breaking and frame (pure, content-addressed);
- :mod:`~controller.dataslides.items`: the playlist item ``type: data``;
- :mod:`~controller.dataslides.on_screen`: a data item in a rebuild (its slide, or its
  fallback when the data are stale), :mod:`~controller.dataslides.staleness` the sweep
  that notices data turning stale;
- :mod:`~controller.dataslides.stored`: the slides as stored files, drawn by the job
  worker; :mod:`~controller.dataslides.ahead`: a new snapshot's slides asked of the
  worker before the snapshot is stored.
"""
