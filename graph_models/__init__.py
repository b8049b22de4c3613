"""Bridgemap's domain: the model, the stores, projection, consent and the analysis.

One process-wide setting is made here, before any compiled backend is loaded:
OpenMP (used by python-igraph's PageRank, PRPACK, and by networkit) runs one thread
unless the operator sets ``OMP_NUM_THREADS``. Its threads busy-wait for work; on a
server whose cores are already busy with requests, other workers and the background
exact computations (which share the cores among processes, one a core), they only
fight for the same cores: igraph's PageRank of a 10,000-node map took 0.9-1.5 s with
OpenMP's default threads on two loaded cores, 0.04 s with one. libgomp reads the
variable once, when it is loaded, hence here, before ``graph_models.analysis``
imports igraph.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
