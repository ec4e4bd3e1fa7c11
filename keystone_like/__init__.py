"""keystone_like: a dual-endpoint, Keystone-v3-compatible identity service."""
