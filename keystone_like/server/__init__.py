"""The server layer: the only package that imports eventlet.

``patching`` applies the monkey-patch, ``listener`` binds and accepts,
``parser`` and ``connection`` speak HTTP/1.1 and WSGI, ``launcher`` runs the
life cycle (load, bind, serve, onready, signals), ``systemd`` and
``onready`` tell the outside world.
"""
