"""Small pieces shared by the server layer and the API (no eventlet here)."""
