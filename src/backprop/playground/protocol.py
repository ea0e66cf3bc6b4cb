"""The page's messages and the server's frames.

The page sends JSON text, one object per message, ``{"type": ..., ...}``; ``parse`` checks its type
and keys (``MESSAGES``) and raises ValueError otherwise, which the server answers with an error
message: a bad message never ends the connection or stops its training.

The server sends JSON replies (started, trace, gradcheck, error, ...) and, at a fixed rate, binary
frames: ``b"BPF1"``, the length of a JSON header (uint32, little-endian), the header (the live
numbers, and the name and shape of each array), padding to a multiple of 4 bytes, then the arrays
as little-endian float32 in the header's order (heat map, a neuron's map, weights, gradients).
"""
from __future__ import annotations

import json
import struct

import numpy as np

MAGIC = b"BPF1"
# message type -> the keys it must carry (besides "type"); "optional" ones may be left out
MESSAGES = {
    "start": {"state"}, "reset": set(), "play": set(), "pause": set(), "step_epoch": set(), "step_sample": set(),
    "change": {"fields"}, "add_point": {"x", "y", "label"}, "remove_point": {"index"}, "upload": {"csv", "task"},
    "view": {"backward", "hover"}, "trace": {"index"}, "gradcheck": set(),
}


def parse(text: object, max_bytes: int) -> dict:
    """A message from the page, checked: a JSON object whose "type" is one of ``MESSAGES`` with
    exactly its keys. Raises ValueError saying what is wrong (too long, not JSON, unknown type, keys)."""
    if not isinstance(text, str):
        raise ValueError("messages are JSON text, not binary")
    if len(text) > max_bytes:
        raise ValueError(f"the message is {len(text):,} characters: the playground takes at most {max_bytes:,}")
    try:
        message = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"the message is not JSON ({err.msg} at character {err.pos})") from None
    if not isinstance(message, dict) or message.get("type") not in MESSAGES:
        kind = message.get("type") if isinstance(message, dict) else type(message).__name__
        raise ValueError(f"type must be one of {sorted(MESSAGES)}. Received: type={kind!r}")
    keys = set(message) - {"type"}
    if keys != MESSAGES[message["type"]]:
        raise ValueError(f"a {message['type']!r} message takes the keys {sorted(MESSAGES[message['type']])}. "
                         f"Received: {sorted(keys)}")
    return message


def encode_frame(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """One binary frame: ``header`` (JSON numbers) plus ``arrays`` (name -> array, sent as float32)."""
    shapes = [[name, list(np.shape(a))] for name, a in arrays.items()]
    text = json.dumps({**header, "arrays": shapes}, separators=(",", ":")).encode()
    text += b" " * (-(len(MAGIC) + 4 + len(text)) % 4)  # the arrays start 4-byte aligned (Float32Array)
    body = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays.values())
    return MAGIC + struct.pack("<I", len(text)) + text + body


def decode_frame(frame: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """``encode_frame``'s inverse: (header, name -> float32 array). ValueError for a bad frame."""
    if frame[:4] != MAGIC or len(frame) < 8:
        raise ValueError("not a playground frame")
    (length,) = struct.unpack("<I", frame[4:8])
    header = json.loads(frame[8:8 + length])
    arrays, offset = {}, 8 + length
    for name, shape in header.pop("arrays"):
        size = int(np.prod(shape))
        arrays[name] = np.frombuffer(frame, dtype="<f4", count=size, offset=offset).reshape(shape)
        offset += 4 * size
    return header, arrays
