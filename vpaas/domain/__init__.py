"""Business rules. Imports no HTTP, no SQL dialect, no ffmpeg."""
