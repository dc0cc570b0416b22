"""api.routers layer."""
