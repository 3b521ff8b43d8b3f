"""Test helpers shared across test packages (real servers started for integration tests)."""
