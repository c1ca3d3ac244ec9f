"""Detection vocabulary as YAML data: term tiers (terms.yaml), AI vendors/products (vendors.yaml),
CPV hints and the score weights (weights.yaml). Loaded by :mod:`transforms.detect.vocabulary`."""
