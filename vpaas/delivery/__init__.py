"""Delivery: thumbnails, playManifest, HLS/DASH manifests and media serving under /p/."""
