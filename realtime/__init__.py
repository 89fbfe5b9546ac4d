"""Live events over WebSockets (DESIGN §8; the protocol is in docs/realtime.md).

- `routes`: the `/ws` edge: first frame, then client frames to the hub.
- `service`: the rules: authentication, topics per role, what a socket may see, history.
- `hub`: the sockets of this process: attach, subscribe, refresh, forget, housekeeping.
- `feed`: the per-process Redis subscriber and the fan-out of each event to local subscriptions.
- `replay`: a new subscription's history from the tenant's stream, then live.
- `housekeeping`: the periodic checks of sockets (liveness, token expiry, users, presence).
- `connection`: one socket's subscriptions and bounded outgoing queue (`RealtimeConfig`); it sees
  the hub only through the narrow `ConnectionHub` protocol.
- `metrics`, `memory`: the hub's counters on /metrics, and the garbage collector's settings.
- `transport`: the uvicorn WebSocket protocol through which one event's frame bytes are written
  to every socket.
- `presence`: registers online/offline in Redis.
- `envelope`, `schemas`: events as published, and the protocol's frames and close codes.
- `client`: a Python client that resumes by itself (tests, benchmark).
"""
