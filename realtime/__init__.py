"""Live events over WebSockets (DESIGN §8; the protocol is in docs/realtime.md).

- `routes`: the `/ws` edge: first frame, then client frames to the hub.
- `service`: the rules: authentication, topics per role, what a socket may see, history.
- `hub`: the per-process Redis subscriber and the fan-out to local sockets.
- `connection`: one socket's subscriptions and bounded outgoing queue (`RealtimeConfig`).
- `transport`: the uvicorn WebSocket protocol through which one event's frame bytes are written
  to every socket.
- `presence`: registers online/offline in Redis.
- `envelope`, `schemas`: events as published, and the protocol's frames and close codes.
- `client`: a Python client that resumes by itself (tests, benchmark).
"""
