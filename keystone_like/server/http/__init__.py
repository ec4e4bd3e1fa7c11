"""One connection's HTTP/1.1, from a listening socket to the WSGI app.

- ``sockets``: binding a listening socket, with errors an operator can act
  on (stdlib only); ``activation``: sockets passed by systemd.
- ``tls``: the server ``SSLContext`` of a listener, checked at start-up.
- ``listener``: the accept loop (survives per-connection errors, backs off
  on EMFILE), TLS handshakes with a deadline, drain and abort.
- ``connection``: one client connection, requests served in order.
- ``parser``: strict RFC 9112 parsing on llhttp, with every size limit.
- ``wsgi_input``: ``wsgi.input`` streamed on demand, ``100 Continue``.
- ``response``: ``start_response``, framing, JSON error responses.
- ``readiness``: "does this listener's pipeline answer?".

Nothing here imports from the process model or the control verbs: a
:class:`listener.Listener` needs only settings, an app, a bound socket
and an optional SSLContext.
"""
