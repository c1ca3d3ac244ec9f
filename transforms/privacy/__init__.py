"""Privacy primitives shared by every stage.

- ``pseudonyms``: keyed person keys (HMAC-SHA256 with a random key per ``data_dir``);
- ``cells``: text cells of CSV/XLSX files meant for people, neutralised against formula injection
  (and the reverse, for files that come back from an editor).
"""
