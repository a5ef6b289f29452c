"""Input limits shared by every reader."""

MAX_INPUT_BYTES = 5 * 1024 * 1024
"""A certificate is a few kilobytes; anything over 5 MiB is refused before parsing."""
