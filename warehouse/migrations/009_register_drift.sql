-- Drift between our own entries in the national register and the inventory (transforms/publish/drift.py).
CREATE TABLE IF NOT EXISTS register_drift (
    kind VARCHAR,              -- alleen_in_register | niet_gepubliceerd | verschil
    system_id VARCHAR,
    lars VARCHAR,
    name VARCHAR,
    field VARCHAR,             -- Dutch label of the differing field (verschil only)
    register_value VARCHAR,
    inventory_value VARCHAR,
    reason VARCHAR,            -- readable Dutch reason
    entry_key VARCHAR          -- the peer_register_entries key of the register entry
);
