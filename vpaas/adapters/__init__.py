"""Adapters to the outside world: media storage, job queue, cache.

Each family has one interface and several backends chosen by settings; the app builds them at
start-up and passes them down (no module-level singletons).
"""
