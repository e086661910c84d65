"""Stored telephone WAV -> MP3 a phone plays in place, cached in the recordings store.

Why MP3 through ``lameenc``: its wheels carry LAME itself (no ffmpeg, no system
program, nothing downloaded at run time), it encodes a 5-minute call in a fraction of a
second, and MP3 is what Telegram's ``sendAudio`` plays in the chat and what Slack's file
player, browsers and phones all play. PyAV would also give M4A and Opus but ships a whole
FFmpeg (tens of MB) for one encoder; soundfile's MP3/Opus depend on the libsndfile build.

The 8 kHz telephone audio is written as MPEG-2 Layer III at 16 kHz, 24 kbit/s mono:
about a sixth of the WAV, and unlike 8 kHz (MPEG-2.5, an unofficial extension) every
player decodes it. The WAV is read and encoded in slices, so memory does not grow with
the length of the call; the result is written beside its final name and renamed into
place, so two requests at once never serve half a file. Call it off the event loop.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path

import lameenc

from core.records.recordings import OutsideStore, RecordingStore

FORMAT, CONTENT_TYPE = "mp3", "audio/mpeg"
OUT_RATE_HZ = 16_000
BITRATE_KBPS = 24
QUALITY = 7  # LAME's 0 (best, slowest) .. 9: 7 is fast and plenty for a phone line
_SLICE_FRAMES = 64 * 1024


class UnreadableRecording(Exception):
    """The stored file is missing, damaged or not a 16-bit PCM WAV."""


@dataclass(frozen=True, slots=True)
class Audio:
    """A playable copy of a recording."""

    path: Path
    duration_s: int
    content_type: str = CONTENT_TYPE


def playable(store: RecordingStore, name: str) -> Audio:
    """The MP3 of recording ``name``, transcoded on the first request and cached."""
    try:
        source = store.path(name)
        target = store.cache_path(name, FORMAT)
    except OutsideStore as exc:
        raise UnreadableRecording(name) from exc
    frames, rate = _header(source)
    duration = max(1, round(frames / rate)) if frames else 0
    if not target.is_file():
        tmp = store.temporary(target)
        try:
            _encode(source, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return Audio(target, duration)


def _header(source: Path) -> tuple[int, int]:
    """(frames, sample rate) of a WAV we can encode; ``UnreadableRecording`` otherwise."""
    try:
        with wave.open(str(source), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() not in (1, 2):
                raise UnreadableRecording(source.name)
            return wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise UnreadableRecording(source.name) from exc


def _encode(source: Path, target: Path) -> None:
    try:
        with wave.open(str(source), "rb") as wav, target.open("wb") as out:
            encoder = lameenc.Encoder()
            encoder.set_in_sample_rate(wav.getframerate())
            encoder.set_out_sample_rate(OUT_RATE_HZ)
            encoder.set_channels(wav.getnchannels())
            encoder.set_bit_rate(BITRATE_KBPS * wav.getnchannels())
            encoder.set_quality(QUALITY)
            while pcm := wav.readframes(_SLICE_FRAMES):
                out.write(encoder.encode(pcm))
            out.write(encoder.flush())
    except (OSError, EOFError, wave.Error, RuntimeError) as exc:
        raise UnreadableRecording(source.name) from exc
