"""Tiny WAV writer for the demo data set's call recordings.

The demo must not download anything, yet ``/recording`` needs real audio files to send
into a chat. A few sine tones in telephone format (mono, 8 kHz, 16-bit PCM) are enough:
small, valid for every player, and built with the standard library only.
"""

from __future__ import annotations

import math
import random
import sys
import wave
from array import array
from collections.abc import Sequence
from pathlib import Path

RATE_HZ = 8000
_FADE_S = 0.01  # a 10 ms ramp at both ends of each tone, so segments do not click


def tone_samples(
    freq_hz: float, seconds: float, *, rate: int = RATE_HZ, amplitude: float = 0.4
) -> array:
    """Return one sine tone as signed 16-bit samples, faded in and out."""
    count = round(seconds * rate)
    fade = max(1, int(_FADE_S * rate))
    peak = amplitude * 32767
    samples = array("h")
    for i in range(count):
        ramp = min(1.0, i / fade, (count - 1 - i) / fade)
        samples.append(round(peak * ramp * math.sin(2 * math.pi * freq_hz * i / rate)))
    return samples


def write_tones(path: Path, tones: Sequence[tuple[float, float]], *, rate: int = RATE_HZ) -> int:
    """Write ``(frequency Hz, seconds)`` tones one after another as a mono 16-bit WAV.

    Returns the number of frames written. The output is byte-for-byte deterministic for
    the same arguments (no timestamps in a WAV header), which keeps the demo reproducible.
    """
    samples = array("h")
    for freq_hz, seconds in tones:
        samples.extend(tone_samples(freq_hz, seconds, rate=rate))
    if sys.byteorder == "big":  # WAV is little-endian whatever the machine
        samples.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return len(samples)


def write_signature(path: Path, key: str) -> int:
    """Write two or three tones, 1–3 s in all, drawn from ``key``: a distinct, reproducible
    "recording" per call (``key`` such as ``"4000-15325576"``). Returns the frame count."""
    rng = random.Random(key)  # a str seed is hashed the same way on every run and machine
    tones = [
        (rng.randrange(300, 1400, 10), rng.randint(5, 10) / 10) for _ in range(rng.randint(2, 3))
    ]
    return write_tones(path, tones)
