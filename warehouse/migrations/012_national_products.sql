-- The national picture (transforms/national, asset group "national"; docs/national.md): national-register
-- entries of all organisations plus this municipality's own published entries, reconciled by Splink into
-- national products. For the platform operator only; never part of a public output.
CREATE TABLE IF NOT EXISTS national_products (
    product_id VARCHAR,              -- NP- + hash of the product's smallest entry key
    product VARCHAR,                 -- the most common name of its entries
    provider VARCHAR,                -- the most common provider named, if any
    organisations VARCHAR[],         -- every organisation with an entry of the product (register or own)
    organisation_count INTEGER,
    entry_count INTEGER,
    registered_by VARCHAR[],         -- organisations with an entry in the national register
    not_registered_by VARCHAR[],     -- own published entry, but no national-register entry of that organisation
    example_names VARCHAR[],
    entry_keys VARCHAR[],            -- peer entry_key / eigen:<system_id> of every member entry
    reason VARCHAR,                  -- readable: how many entries, which comparison outcomes joined them
    backend VARCHAR,                 -- duckdb | spark
    computed_at TIMESTAMP
);
