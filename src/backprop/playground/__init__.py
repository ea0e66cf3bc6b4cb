"""``backprop playground``: a live page in the browser that trains with the library itself.

- sessions.py: one playground session per tab, built from the page's state (data set, network,
  training configuration), within the limits; its command line and its model file
- protocol.py: the page's messages, parsed and checked, and the binary frames sent back
- views.py: what a frame shows, computed from a snapshot (decision map, a neuron's map, weights,
  gradients and deltas)
- server.py: the Starlette app (the page, its WebSocket, the downloads) and the uvicorn entry
- static/: the page itself (plain JavaScript and canvas, served from the package: no CDN)

It needs the ``playground`` extra (Starlette, uvicorn, websockets). Nothing in the core imports it.
"""
