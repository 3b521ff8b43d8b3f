"""Domain test fixtures (see ``processing_helpers`` and ``support.metadata_world``)."""

from processing_helpers import (  # noqa: F401  (fixtures)
    audio_mp3,
    clip_360p,
    clip_avi,
    image_png,
    make_media,
    pipeline,
)
from support.metadata_world import world  # noqa: F401  (fixture)
