"""The error catalogue: every code the API can return, spelled as Kaltura spells it."""

from vpaas.registry.errors import error

# Request and dispatch
INTERNAL_SERVERL_ERROR = error(
    "INTERNAL_SERVERL_ERROR", "Internal server error occurred (request @REQUEST_ID@)",
    "Unexpected failure; the server log has the details under the request id.")
MISSING_KS = error("MISSING_KS", "Missing KS, session not established")
INVALID_KS = error("INVALID_KS", 'Invalid KS "@KS@", Error "@ERR_CODE@,@ERR_DESC@"')
SERVICE_NOT_SPECIFIED = error("SERVICE_NOT_SPECIFIED", "Service name was not specified, "
                              "please specify one")
SERVICE_DOES_NOT_EXISTS = error("SERVICE_DOES_NOT_EXISTS", "Service [@SERVICE@] does not exist")
ACTION_NOT_SPECIFIED = error("ACTION_NOT_SPECIFIED", "Action name was not specified, "
                             "please specify one")
ACTION_DOES_NOT_EXISTS = error("ACTION_DOES_NOT_EXISTS",
                               "Action [@ACTION@] does not exists for service [@SERVICE@]")
MISSING_MANDATORY_PARAMETER = error("MISSING_MANDATORY_PARAMETER",
                                    'Missing parameter "@PARAM_NAME@"')
INVALID_ENUM_VALUE = error(
    "INVALID_ENUM_VALUE", 'Invalid enumeration value "@ENUM_VAL@" for parameter "@PARAM_NAME@", '
    'expecting enumeration type "@ENUM_TYPE@"')
INVALID_OBJECT_TYPE = error("INVALID_OBJECT_TYPE", 'Invalid object type "@OBJECT_TYPE@"')
OBJECT_TYPE_ABSTRACT = error("OBJECT_TYPE_ABSTRACT",
                             'Abstract type "@OBJECT_TYPE@" cannot be instantiated')
INVALID_PARAMETER_VALUE = error("INVALID_PARAMETER_VALUE",
                                'Invalid value "@VALUE@" for parameter "@PARAM_NAME@"')
PROPERTY_VALIDATION_NUMERIC_VALUE = error(
    "PROPERTY_VALIDATION_NUMERIC_VALUE", 'Value for property "@PROP_NAME@" must be numeric')
PROPERTY_VALIDATION_NOT_UPDATABLE = error("PROPERTY_VALIDATION_NOT_UPDATABLE",
                                          'Property "@PROP_NAME@" cannot be updated')
PROPERTY_VALIDATION_CANNOT_BE_NULL = error("PROPERTY_VALIDATION_CANNOT_BE_NULL",
                                           'The property "@PROP_NAME@" cannot be null')
PROPERTY_VALIDATION_MIN_LENGTH = error(
    "PROPERTY_VALIDATION_MIN_LENGTH",
    'The property "@PROP_NAME@" must have a min length of @MIN_LEN@ characters')
PROPERTY_VALIDATION_MAX_LENGTH = error(
    "PROPERTY_VALIDATION_MAX_LENGTH",
    'The property "@PROP_NAME@" cannot have more than @MAX_LEN@ characters')
INVALID_REQUEST_FORMAT = error("INVALID_REQUEST_FORMAT", "Request could not be parsed: @REASON@")
REQUEST_TOO_LARGE = error("REQUEST_TOO_LARGE", "Request body is larger than @MAX_BYTES@ bytes")
MULTIREQUEST_TOO_LARGE = error("MULTIREQUEST_TOO_LARGE",
                               "A multirequest may hold at most @MAX@ calls")
SERVICE_FORBIDDEN = error("SERVICE_FORBIDDEN", "The access to service [@SERVICE@] is forbidden")
ACTION_FORBIDDEN = error("ACTION_FORBIDDEN",
                         "The access to action [@ACTION@] in service [@SERVICE@] is forbidden")
PERMISSION_NOT_FOUND = error("PERMISSION_NOT_FOUND", "Permission not found: @REASON@")
FEATURE_FORBIDDEN = error("FEATURE_FORBIDDEN", "The usage of feature [@FEATURE@] is forbidden")
ACTIONS_LIMIT_REACHED = error("ACTIONS_LIMIT_REACHED",
                              "The KS may be used for @LIMIT@ calls only; the limit was reached")

# Sessions and partners
START_SESSION_ERROR = error("START_SESSION_ERROR",
                            "Error while starting session for partner [@PARTNER_ID@]")
START_WIDGET_SESSION_ERROR = error("START_WIDGET_SESSION_ERROR",
                                   "Error while starting widget session for widget [@WIDGET_ID@]")
INVALID_WIDGET_ID = error("INVALID_WIDGET_ID", "Invalid widget id [@WIDGET_ID@]")
INVALID_PARTNER_ID = error("INVALID_PARTNER_ID", "Invalid partner id [@PARTNER_ID@]")
PARTNER_NOT_FOUND = error("PARTNER_NOT_FOUND", "Partner [@PARTNER_ID@] not found")
PARTNER_BLOCKED = error("PARTNER_BLOCKED", "Partner [@PARTNER_ID@] is blocked")
CANNOT_IMPERSONATE_PARTNER = error("CANNOT_IMPERSONATE_PARTNER",
                                   "Partner [@PARTNER_ID@] cannot impersonate partner "
                                   "[@IMPERSONATED_PARTNER_ID@]")

# Objects
INVALID_OBJECT_ID = error("INVALID_OBJECT_ID", "Invalid object id [@ID@]")
ENTRY_ID_NOT_FOUND = error("ENTRY_ID_NOT_FOUND", 'Entry id "@ENTRY_ID@" not found')
INVALID_ENTRY_ID = error("INVALID_ENTRY_ID", 'Invalid entry id "@ENTRY_ID@"')
INVALID_ENTRY_TYPE = error("INVALID_ENTRY_TYPE",
                           'Entry "@ENTRY_ID@" is of type "@ENTRY_TYPE@", expected "@EXPECTED@"')
ENTRY_ALREADY_WITH_CONTENT = error("ENTRY_ALREADY_WITH_CONTENT", "Entry already associated "
                                   "with content")
ENTRY_NOT_READY = error("ENTRY_NOT_READY", 'Entry "@ENTRY_ID@" is not ready')
INVALID_USER_ID = error("INVALID_USER_ID", "Invalid user id")
USER_NOT_FOUND = error("USER_NOT_FOUND", "User was not found")
DUPLICATE_USER_BY_ID = error("DUPLICATE_USER_BY_ID", "User with id [@USER_ID@] already exists")
CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION = error(
    "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION",
    'Cannot retrieve another user "@USER_ID@" using a non-admin session')
INVALID_FIELD_VALUE = error("INVALID_FIELD_VALUE", 'Invalid value for field "@FIELD_NAME@"')
FLAVOR_ASSET_ID_NOT_FOUND = error("FLAVOR_ASSET_ID_NOT_FOUND",
                                  "Flavor asset id [@ID@] not found")
FLAVOR_PARAMS_ID_NOT_FOUND = error("FLAVOR_PARAMS_ID_NOT_FOUND",
                                   "Flavor params id [@ID@] not found")
CONVERSION_PROFILE_ID_NOT_FOUND = error("CONVERSION_PROFILE_ID_NOT_FOUND",
                                        "Conversion profile id [@ID@] not found")
THUMB_ASSET_ID_NOT_FOUND = error("THUMB_ASSET_ID_NOT_FOUND", "Thumbnail asset [@ID@] not found")
CAPTION_ASSET_ID_NOT_FOUND = error("CAPTION_ASSET_ID_NOT_FOUND",
                                   "Caption asset [@ID@] not found")
CATEGORY_NOT_FOUND = error("CATEGORY_NOT_FOUND", "Category id [@ID@] not found")
ACCESS_CONTROL_ID_NOT_FOUND = error("ACCESS_CONTROL_ID_NOT_FOUND",
                                    "Access control id [@ID@] not found")
UICONF_ID_NOT_FOUND = error("UICONF_ID_NOT_FOUND", "uiConf id [@ID@] not found")
RESOURCE_TYPE_NOT_SUPPORTED = error("RESOURCE_TYPE_NOT_SUPPORTED",
                                    'Resource type "@RESOURCE_TYPE@" is not supported')
FILE_DOESNT_EXIST = error("FILE_DOESNT_EXIST", "The file does not exist")

# Uploads
UPLOAD_TOKEN_NOT_FOUND = error("UPLOAD_TOKEN_NOT_FOUND", "Upload token not found")
UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD = error(
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD", "Upload token is in an invalid status for upload")
UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY = error(
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY",
    "Upload token is in an invalid status for adding entry")
UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE = error(
    "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE",
    "Final size @FINAL_SIZE@ does not match the expected file size @EXPECTED_SIZE@")
UPLOAD_TOKEN_MISSING_FILE_SIZE = error("UPLOAD_TOKEN_MISSING_FILE_SIZE",
                                       "Upload token must have a file size to be auto-finalized")
UPLOAD_TOKEN_RESUMING_INVALID_POSITION = error(
    "UPLOAD_TOKEN_RESUMING_INVALID_POSITION",
    "Cannot resume at position @POSITION@: @REASON@")
UPLOAD_TOKEN_FILE_IS_EMPTY = error("UPLOAD_TOKEN_FILE_IS_EMPTY", "The uploaded file is empty")
UPLOAD_TOKEN_FILE_TOO_LARGE = error("UPLOAD_TOKEN_FILE_TOO_LARGE",
                                    "The upload is larger than the allowed @MAX_BYTES@ bytes")
UPLOAD_TOKEN_ALREADY_USED = error("UPLOAD_TOKEN_ALREADY_USED",
                                  "Upload token [@TOKEN_ID@] was already used")
UPLOADED_FILE_NOT_FOUND_BY_TOKEN = error("UPLOADED_FILE_NOT_FOUND_BY_TOKEN",
                                         "The uploaded file was not found by the given token id")
UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED = error(
    "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED", "The upload can no longer be resumed")
IMPORT_URL_NOT_ALLOWED = error("IMPORT_URL_NOT_ALLOWED", 'URL "@URL@" cannot be imported: '
                               "@REASON@")

# Entries (ingest)
ENTRY_TYPE_NOT_SUPPORTED = error("ENTRY_TYPE_NOT_SUPPORTED",
                                 'Entry type "@ENTRY_TYPE@" is not supported')
ENTRY_REPLACEMENT_ALREADY_EXISTS = error(
    "ENTRY_REPLACEMENT_ALREADY_EXISTS",
    "Entry already in replacement: wait until the new content is ready (or has failed)")
PROPERTY_VALIDATION_ADMIN_PROPERTY = error(
    "PROPERTY_VALIDATION_ADMIN_PROPERTY",
    'Property "@PROP_NAME@" can be set by an admin session only')

# Lists: filters, ordering, paging, search
FILTER_NOT_SUPPORTED = error("FILTER_NOT_SUPPORTED",
                             'Filter property "@PROPERTY@" is not supported by this list')
INVALID_ORDER_BY = error("INVALID_ORDER_BY",
                         'Cannot order by "@ORDER_BY@"; allowed fields: @ALLOWED@')
INVALID_PAGER_CURSOR = error("INVALID_PAGER_CURSOR", "Invalid paging cursor: @REASON@")
INVALID_SEARCH_TEXT = error("INVALID_SEARCH_TEXT", 'Invalid search text "@TEXT@": @REASON@')

# Categories, category entries, playlists
PARENT_CATEGORY_NOT_FOUND = error("PARENT_CATEGORY_NOT_FOUND",
                                  'Parent category id "@ID@" not found')
DUPLICATE_CATEGORY = error("DUPLICATE_CATEGORY", 'The category "@CATEGORY@" already exists')
PARENT_CATEGORY_IS_CHILD = error(
    "PARENT_CATEGORY_IS_CHILD",
    'The parent category "@PARENT_CATEGORY@" is one of the children for category '
    '"@OTHER_CATEGORY@"')
MAX_CATEGORY_DEPTH_REACHED = error("MAX_CATEGORY_DEPTH_REACHED",
                                   'Category can have a max depth of "@MAX@" levels')
CATEGORY_NAME_CONTAINS_INVALID_CHARS = error(
    "CATEGORY_NAME_CONTAINS_INVALID_CHARS",
    "Category name contains invalid chars ('<', '>' and ',' are not allowed)")
PRIVACY_CONTEXT_INVALID_STRING = error("PRIVACY_CONTEXT_INVALID_STRING",
                                       'Privacy context is invalid "@CONTEXT@"')
CATEGORY_ENTRY_ALREADY_EXISTS = error("CATEGORY_ENTRY_ALREADY_EXISTS",
                                      "Entry already assigned to this category")
ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY = error("ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
                                          "Entry doesn't assigned to category")
CANNOT_ASSIGN_ENTRY_TO_CATEGORY = error("CANNOT_ASSIGN_ENTRY_TO_CATEGORY",
                                        "Cannot assign entry to category")
CANNOT_REMOVE_ENTRY_FROM_CATEGORY = error("CANNOT_REMOVE_ENTRY_FROM_CATEGORY",
                                          "Cannot remove entry from category")
MAX_CATEGORIES_FOR_ENTRY_REACHED = error(
    "MAX_CATEGORIES_FOR_ENTRY_REACHED",
    "Entry can only be assigned to @MAX_CATEGORIES@ categories")
CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING = error(
    "CANNOT_ACTIVATE_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING",
    "Cannot activate a non pending categoryEntry")
CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING = error(
    "CANNOT_REJECT_CATEGORY_ENTRY_SINCE_IT_IS_NOT_PENDING",
    "Cannot reject a non pending categoryEntry")
MUST_FILTER_ON_ENTRY_OR_CATEGORY = error("MUST_FILTER_ON_ENTRY_OR_CATEGORY",
                                         "Must filter on entry id or category")
INVALID_PLAYLIST_TYPE = error("INVALID_PLAYLIST_TYPE", "Invalid playlist type")
CANT_UPDATE_PARAMETER = error("CANT_UPDATE_PARAMETER", 'Parameter "@PARAM@" cannot be updated')
PLAYLIST_TOO_LARGE = error("PLAYLIST_TOO_LARGE",
                           "A playlist may hold at most @MAX@ @WHAT@",
                           "Static playlists hold at most 1000 entry ids; dynamic playlists "
                           "at most 20 filters and 500 total results.")

# Access control
SYSTEM_NAME_ALREADY_EXISTS = error("SYSTEM_NAME_ALREADY_EXISTS",
                                   "System name [@SYS_NAME@] already exists")
CANNOT_DELETE_DEFAULT_ACCESS_CONTROL = error("CANNOT_DELETE_DEFAULT_ACCESS_CONTROL",
                                             "Default access control cannot be deleted")
MAX_NUMBER_OF_ACCESS_CONTROLS_REACHED = error(
    "MAX_NUMBER_OF_ACCESS_CONTROLS_REACHED",
    'Max number of "@MAX_NUM@" access controls was reached')
ACCESS_CONTROL_NEW_VERSION_UPDATE = error(
    "ACCESS_CONTROL_NEW_VERSION_UPDATE",
    'Access control id "@ID@" should be updated using AccessControlProfile service')
INVALID_ACCESS_CONTROL_RULE = error(
    "INVALID_ACCESS_CONTROL_RULE", 'Invalid access control rule at "@WHERE@": @REASON@',
    "vpaas: a rule, condition or action that cannot be evaluated (bad IP range, regex...).")

# Custom metadata (plugin "metadata")
METADATA_PROFILE_NOT_FOUND = error("METADATA_PROFILE_NOT_FOUND",
                                   "metadata profile not found, id [@ID@]")
INVALID_METADATA_PROFILE = error("INVALID_METADATA_PROFILE", "invalid metadata profile [@ID@]")
INVALID_METADATA_PROFILE_SCHEMA = error("INVALID_METADATA_PROFILE_SCHEMA",
                                        "invalid metadata profile schema: @REASON@")
INVALID_METADATA_OBJECT = error("INVALID_METADATA_OBJECT", "invalid metadata object [@ID@]")
INVALID_METADATA_VERSION = error(
    "INVALID_METADATA_VERSION", "invalid metadata version [@VERSION@]",
    "The version parameter does not match the metadata's current version (a concurrent update).")
INVALID_METADATA_DATA = error("INVALID_METADATA_DATA", "invalid metadata data: @REASON@")
METADATA_NOT_FOUND = error("METADATA_NOT_FOUND", "metadata not found, id [@ID@]")
METADATA_ALREADY_EXISTS = error("METADATA_ALREADY_EXISTS", "Metadata already exists id [@ID@]")
INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE = error(
    "INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE",
    "Metadata Profile object type is @PROFILE_TYPE@, metadata object type is @OBJECT_TYPE@")

# Captions and thumbnail assets
CAPTION_ASSET_IS_NOT_READY = error("CAPTION_ASSET_IS_NOT_READY",
                                   'Caption asset "@ASSET_ID@" is not ready')
CAPTION_ASSET_PARSING_FAILED = error(
    "CAPTION_ASSET_PARSING_FAILED", 'Failed to parse caption asset "@ASSET_ID@": @REASON@',
    "The file is not valid SRT, WebVTT or DFXP/TTML; the reason says what and where.")
CAPTION_ASSET_UNSUPPORTED_FORMAT = error(
    "CAPTION_ASSET_UNSUPPORTED_FORMAT", 'Unsupported caption asset format "@FORMAT@"',
    "Only SRT, WebVTT and DFXP/TTML captions are accepted.")
CAPTION_ASSET_DOWNLOAD_FAILED = error(
    "CAPTION_ASSET_DOWNLOAD_FAILED", 'Caption asset download from URL "@URL@" failed: @REASON@')
THUMB_ASSET_IS_NOT_READY = error("THUMB_ASSET_IS_NOT_READY",
                                 "Thumbnail asset [@ID@] is not ready")
THUMB_ASSET_IS_DEFAULT = error(
    "THUMB_ASSET_IS_DEFAULT", "Thumbnail asset [@ID@] is the entry's default thumbnail",
    "Make another thumbnail the default before deleting this one.")
THUMB_ASSET_DOWNLOAD_FAILED = error(
    "THUMB_ASSET_DOWNLOAD_FAILED", 'Thumbnail download from URL "@URL@" failed: @REASON@')
THUMB_ASSET_INVALID_IMAGE = error(
    "THUMB_ASSET_INVALID_IMAGE", "The file is not a usable image: @REASON@",
    "Thumbnails must be JPEG, PNG, GIF, WebP or BMP images of sensible dimensions.")
THUMB_CAPTURE_FAILED = error(
    "THUMB_CAPTURE_FAILED", 'Cannot capture a thumbnail of entry "@ENTRY_ID@": @REASON@')
CANNOT_MOVE_CATEGORIES_FROM_DIFFERENT_PARENT_CATEGORIES = error(
    "CANNOT_MOVE_CATEGORIES_FROM_DIFFERENT_PARENT_CATEGORIES",
    "Cannot move categories from different parent categories")

# Flavors and conversion profiles
FLAVOR_ASSET_IS_NOT_READY = error("FLAVOR_ASSET_IS_NOT_READY", "The flavor asset is not ready")
CANNOT_DELETE_DEFAULT_CONVERSION_PROFILE = error(
    "CANNOT_DELETE_DEFAULT_CONVERSION_PROFILE", "Default conversion profile cannot be deleted")
