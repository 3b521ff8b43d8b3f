"""One module per Kaltura service; each declares its actions and calls domain/."""
