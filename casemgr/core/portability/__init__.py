"""Moving one matter whole between casemgr installations: `manage.py matter_export` writes
a zip (every record, every blob, the audit trail, a manifest of SHA-256s) and
`manage.py matter_import` restores it elsewhere, checking all of it before writing any of it.

- graph.py: which models and rows belong to a matter, found from the model relations.
- archive.py: the zip's layout and the manifest.
- export.py / importer.py: the two directions.
"""
