"""Dev-only data: the demo county with life and the synthetic million-household county."""
