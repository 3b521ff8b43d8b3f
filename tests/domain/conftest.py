"""Domain test fixtures (see ``processing_helpers``)."""

from processing_helpers import (  # noqa: F401  (fixtures)
    audio_mp3,
    clip_360p,
    clip_avi,
    image_png,
    make_media,
    pipeline,
)
