"""Controlling a running service-all from another process. Stdlib only.
"""
