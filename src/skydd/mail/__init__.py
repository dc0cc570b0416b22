"""mail layer."""
