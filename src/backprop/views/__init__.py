"""Views that teach: each a module of its own, each returning a matplotlib Figure (or a file).

- health.py: gradient norms, saturated and dead units per layer, over training
- network.py: the network as TensorFlow Playground draws it, each hidden unit's map inside it
- replay.py: the decision boundary over training, as a GIF (or MP4), from weight snapshots
- compare.py: several runs' curves overlaid and their boundaries side by side
- report.py: a run folder's self-contained report.html

Nothing in the core (layers, network, training, engines) imports them.
"""
