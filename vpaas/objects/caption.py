"""Caption objects (caption plugin): caption assets, their enums, filter and list response.

``language`` is a ``KalturaLanguage`` name ("English"). Kaltura's enum has close to 600
names; the API takes any name (or ISO 639-1 code) and derives ``languageCode`` for the
common languages in :data:`LANGUAGES`; an unknown name is stored as given, without a code.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from vpaas.objects.common import KalturaListResponse, KalturaNullableBoolean, KalturaObjectBase
from vpaas.objects.flavor import KalturaAsset
from vpaas.objects.thumb import KalturaAssetFilter
from vpaas.registry import api_enum, api_object, field

PLUGIN = "caption"

LANGUAGES: dict[str, str] = {
    "Afrikaans": "af", "Albanian": "sq", "Amharic": "am", "Arabic": "ar", "Armenian": "hy",
    "Azerbaijani": "az", "Basque": "eu", "Belarusian": "be", "Bengali (Bangla)": "bn",
    "Bosnian": "bs", "Bulgarian": "bg", "Burmese": "my", "Catalan": "ca", "Chinese": "zh",
    "Croatian": "hr", "Czech": "cs", "Danish": "da", "Dutch": "nl", "English": "en",
    "Estonian": "et", "Farsi": "fa", "Finnish": "fi", "French": "fr", "Galician": "gl",
    "Georgian": "ka", "German": "de", "Greek": "el", "Gujarati": "gu", "Hausa": "ha",
    "Hebrew": "he", "Hindi": "hi", "Hungarian": "hu", "Icelandic": "is", "Indonesian": "id",
    "Irish": "ga", "Italian": "it", "Japanese": "ja", "Kannada": "kn", "Kazakh": "kk",
    "Khmer": "km", "Korean": "ko", "Kurdish": "ku", "Lao": "lo", "Latin": "la",
    "Latvian (Lettish)": "lv", "Lithuanian": "lt", "Macedonian": "mk", "Malay": "ms",
    "Malayalam": "ml", "Maltese": "mt", "Marathi": "mr", "Mongolian": "mn", "Nepali": "ne",
    "Norwegian": "no", "Pashto (Pushto)": "ps", "Polish": "pl", "Portuguese": "pt",
    "Punjabi": "pa", "Romanian": "ro", "Russian": "ru", "Serbian": "sr", "Sinhalese": "si",
    "Slovak": "sk", "Slovenian": "sl", "Somali": "so", "Spanish": "es", "Swahili (Kiswahili)":
    "sw", "Swedish": "sv", "Tagalog": "tl", "Tamil": "ta", "Telugu": "te", "Thai": "th",
    "Turkish": "tr", "Ukrainian": "uk", "Urdu": "ur", "Uzbek": "uz", "Vietnamese": "vi",
    "Welsh": "cy", "Xhosa": "xh", "Yiddish": "yi", "Yoruba": "yo", "Zulu": "zu",
}  # fmt: skip
_BY_CODE = {code: name for name, code in LANGUAGES.items()}
_BY_NAME = {name.lower(): name for name in LANGUAGES}
_SHORT_NAME = {name.split(" (")[0].lower(): name for name in LANGUAGES}
MAX_LANGUAGE_CHARS = 64


def normalize_language(value: str | None) -> tuple[str | None, str | None]:
    """``(KalturaLanguage name, ISO code)`` for a language name or code.

    Known names and codes (any case; ``en-US`` counts as ``en``) give the canonical name and
    code; another printable name is kept as given with no code. Raises ValueError for text
    that cannot be a language name.
    """
    if value is None or not value.strip():
        return None, None
    text = value.strip()
    if len(text) > MAX_LANGUAGE_CHARS or not text.isprintable() or any(c in text for c in "<>"):
        raise ValueError(f"{text[:80]!r} is not a language name")
    key = text.lower()
    name = _BY_NAME.get(key) or _SHORT_NAME.get(key) or _BY_CODE.get(
        key.replace("_", "-").split("-")[0])
    if name:
        return name, LANGUAGES[name]
    return text, None


@api_enum
class KalturaCaptionType(StrEnum):
    """Format of a caption file."""

    SRT = "1"
    DFXP = "2"
    WEBVTT = "3"
    CAP = "4"
    SCC = "5"


@api_enum
class KalturaCaptionAssetStatus(IntEnum):
    """Where a caption asset is in its life."""

    ERROR = -1
    QUEUED = 0
    READY = 2
    DELETED = 3
    IMPORTING = 7
    EXPORTING = 9


@api_enum
class KalturaCaptionSource(StrEnum):
    """Where a caption came from."""

    UNKNOWN = "0"
    ZOOM = "1"
    WEBEX = "2"


@api_enum
class KalturaCaptionAssetUsage(StrEnum):
    """What a caption track is for."""

    CAPTION = "0"
    EXTENDED_AUDIO_DESCRIPTION = "1"


@api_object(plugin=PLUGIN)
class KalturaCaptionAsset(KalturaAsset):
    """A caption track of an entry (SRT, WebVTT or DFXP); also served as WebVTT."""

    captionParamsId: int = field(insert_only=True, doc="Caption params used (0: none)")
    language: str = field(doc="Language: a KalturaLanguage name such as 'English' (an ISO "
                              "639-1 code such as 'en' is accepted)")
    languageCode: str = field(readonly=True, doc="ISO 639-1 code of the language, if known")
    isDefault: KalturaNullableBoolean = field(doc="The entry's default caption track")
    label: str = field(doc="Name shown in players' caption menus")
    format: KalturaCaptionType = field(insert_only=True,
                                       doc="File format; set from the content once uploaded")
    source: KalturaCaptionSource = field(insert_only=True, doc="Where the caption came from")
    status: KalturaCaptionAssetStatus = field(readonly=True, doc="Status")
    parentId: str = field(insert_only=True, doc="Caption asset this one derives from")
    accuracy: int = field(doc="Accuracy of the captions, percent")
    displayOnPlayer: bool = field(doc="Offered in players (default true)")
    associatedTranscriptIds: str = field(doc="Associated transcript assets (CSV)")
    usage: KalturaCaptionAssetUsage = field(doc="Captions or extended audio description")


@api_object(plugin=PLUGIN)
class KalturaCaptionAssetFilter(KalturaAssetFilter):
    """Conditions on caption assets."""

    captionParamsIdEqual: int = field(doc="Caption params id")
    captionParamsIdIn: str = field(doc="Comma separated caption params ids")
    formatEqual: KalturaCaptionType = field(doc="Format")
    formatIn: str = field(doc="Comma separated formats")
    statusEqual: KalturaCaptionAssetStatus = field(doc="Status")
    statusIn: str = field(doc="Comma separated statuses")
    statusNotIn: str = field(doc="Comma separated statuses to leave out")


@api_object(plugin=PLUGIN)
class KalturaCaptionAssetListResponse(KalturaListResponse):
    """A page of caption assets."""

    objects: list[KalturaCaptionAsset] = field(readonly=True, doc="The caption assets")


@api_object(plugin=PLUGIN)
class KalturaCaptionPlaybackPluginData(KalturaObjectBase):
    """A caption track as listed in a playback context (``playbackCaptions``)."""

    label: str = field(doc="Name shown in the player")
    format: str = field(doc="KalturaCaptionType of the file at url")
    language: str = field(doc="Language name")
    webVttUrl: str = field(doc="The track as one WebVTT file")
    url: str = field(doc="The file as uploaded")
    isDefault: bool = field(doc="Shown by default")
    languageCode: str = field(doc="ISO 639-1 code")
