"""E-mail conversations: forwarding addresses, the MIME read in and written out, SES's stored messages received."""
