"""Website lead forms: the public hook, body parsing, field mapping, and the processor that makes the lead."""
