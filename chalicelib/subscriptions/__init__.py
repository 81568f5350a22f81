"""A tenant's subscription through Stripe: the billing overview, Checkout and the Customer Portal, the
signed webhook (stored first through the inbox, routed by the customer's global lookup) and the
processor that applies Stripe's events to the tenant's subscription, newest first.

An orchestrating domain: it uses billing (the catalog, the lifecycle, the gateway), identity (the
tenant item that carries the subscription) and the inbox.
"""
