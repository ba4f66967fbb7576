"""The science Kolam computes with, each source cited beside its formula: water chemistry
(``chemistry``), the metrics derived from a sample (``derive``) and the sun (``sun``)."""
