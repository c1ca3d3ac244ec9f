"""obligations: duties and deadlines, Algoritmekader requirements, DPIA/IAMA/FRIA, periodic review."""
