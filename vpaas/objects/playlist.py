"""Playlist objects: KalturaPlaylist (an entry of type PLAYLIST), its rule filters, list
filter and responses.
"""

from __future__ import annotations

from enum import IntEnum

from vpaas.objects.common import KalturaListResponse
from vpaas.objects.entry import KalturaBaseEntry
from vpaas.objects.entry_filters import KalturaBaseEntryFilter, KalturaMediaEntryFilter
from vpaas.objects.filters import make_filter_classes
from vpaas.registry import api_enum, api_object, field


@api_enum
class KalturaPlaylistType(IntEnum):
    """Kind of playlist: a fixed list of entries, or rules (filters)."""

    STATIC_LIST = 3
    DYNAMIC = 10
    EXTERNAL = 101
    PATH = 102


@api_object
class KalturaMediaEntryFilterForPlaylist(KalturaMediaEntryFilter):  # type: ignore[misc,valid-type]
    """One rule of a dynamic playlist: a media entry filter with a number of entries."""

    limit: int = field(doc="Entries this rule contributes at most (default: totalResults)")
    name: str = field(doc="Name of the rule")


@api_object
class KalturaPlaylist(KalturaBaseEntry):
    """A playlist entry: static (``playlistContent`` = comma separated entry ids) or dynamic
    (``filters``, each with a ``limit``; ``totalResults`` caps the whole)."""

    playlistContent: str = field(
        doc="STATIC_LIST: comma separated entry ids, in order. DYNAMIC: the rules as XML "
            "(<playlist><total_results/><filters><filter>...); returned, and accepted when "
            "no filters are sent")
    filters: list[KalturaMediaEntryFilterForPlaylist] = field(
        doc="DYNAMIC: the rules, run in order; their results are merged without duplicates")
    totalResults: int = field(doc="DYNAMIC: at most this many entries (default 50, max 500)")
    playlistType: KalturaPlaylistType = field(insert_only=True,
                                              doc="STATIC_LIST (3) or DYNAMIC (10)")
    plays: int = field(readonly=True, doc="Number of plays")
    views: int = field(readonly=True, doc="Number of views")
    duration: int = field(readonly=True,
                          doc="Seconds: total duration of the entries, updated on add and "
                              "update (for dynamic playlists with updateStats)")
    executeUrl: str = field(readonly=True, doc="URL that executes the playlist")


class PlaylistFilterExtras:
    """Filter of playlist lists."""

    playListTypeEqual: KalturaPlaylistType = field(doc="Playlist type equal to")
    playListTypeIn: str = field(doc="Playlist type one of (comma separated)")


KalturaPlaylistBaseFilter, KalturaPlaylistFilter = make_filter_classes(
    KalturaPlaylist, KalturaBaseEntryFilter, extra=PlaylistFilterExtras)


@api_object
class KalturaPlaylistListResponse(KalturaListResponse):
    """A page of playlists."""

    objects: list[KalturaPlaylist] = field(readonly=True, doc="The playlists")
