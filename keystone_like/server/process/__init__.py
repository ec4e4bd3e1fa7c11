"""The process model: from parsed options to serving, reloading, stopping.
"""
