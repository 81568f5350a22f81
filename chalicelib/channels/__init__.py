"""Provider channels: every provider is an adapter (verify, handshake, route, parse, answer); outbound
requests to providers go through one transport with a sandbox that records them."""
