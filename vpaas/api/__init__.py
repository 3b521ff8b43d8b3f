"""The api_v3 HTTP edge: the only code that knows Kaltura's wire formats."""
