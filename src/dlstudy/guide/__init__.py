"""Checks on the study guide's content that go beyond the loader's validation."""
