"""Colour contrast as WCAG 2.2 defines it (success criteria 1.4.3 and 1.4.11): the relative
luminance of an sRGB colour and the ratio (L1 + 0.05) / (L2 + 0.05) of the lighter to the darker,
from 1 (none) to 21 (black on white). Text needs 4.5:1, graphics 3:1."""

from __future__ import annotations

TEXT_CONTRAST = 4.5
GRAPHICS_CONTRAST = 3.0


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """``colour`` as ``#rrggbb``."""
    hex_digits = colour.lstrip("#")
    red, green, blue = (int(hex_digits[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
