"""Calls: the record of every call a provider reported, on the customer's card."""
