"""One adapter per messenger (the channel seam's verify, handshake, parse, answer; plus send and media)."""
