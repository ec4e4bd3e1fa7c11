"""paste.deploy filters and the urlmap composite of the service pipelines.

Plain WSGI and webob only: no eventlet, so they run under any server.
"""
