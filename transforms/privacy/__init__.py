"""Privacy primitives shared by every stage (docs/security.md, "Personal data").

- ``pseudonyms``: keyed person keys (HMAC-SHA256 with a random key per ``data_dir``);
- ``cells``: text cells of CSV/XLSX files meant for people, neutralised against formula injection
  (and the reverse, for files that come back from an editor); ``sheets``: the CSV/XLSX writers using it;
- ``redact``: personal data (e-mail, phone, IBAN, BSN, names) replaced by placeholders before storing;
- ``public_text``: which description of a system may be published (never a survey answer);
- ``erasure``: tombstones from the decision log, applied to each source at ingest.
"""
