"""Media toolkit: probe, plan, transcode and package media files (paths in, paths out).

No database, no storage, no HTTP: callers hand in local paths and get local paths back.
"""
