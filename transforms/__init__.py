"""Pure, Dagster-free transformations: normalise, detect, classify, reconcile, publish, monitor."""
