"""The public hooks messengers call."""
