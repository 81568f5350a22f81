"""One module per telephony provider: its adapter (verify, handshake, parse, answer) and its outbound client."""
